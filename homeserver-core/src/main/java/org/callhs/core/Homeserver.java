package org.callhs.core;

import java.security.KeyStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.callhs.core.account.AccountDataService;
import org.callhs.core.account.AccountService;
import org.callhs.core.account.DeviceService;
import org.callhs.core.account.PasswordCheck;
import org.callhs.core.account.PasswordHasher;
import org.callhs.core.account.TokenAuthenticator;
import org.callhs.core.account.UserInteractiveAuth;
import org.callhs.core.api.AccountDataEndpoints;
import org.callhs.core.api.DeviceEndpoints;
import org.callhs.core.api.FilterEndpoints;
import org.callhs.core.api.LoginEndpoints;
import org.callhs.core.api.PresenceEndpoints;
import org.callhs.core.api.ProfileEndpoints;
import org.callhs.core.api.PushRuleEndpoints;
import org.callhs.core.api.RegistrationEndpoints;
import org.callhs.core.api.VersionsEndpoints;
import org.callhs.core.config.ConfigLoader;
import org.callhs.core.config.HomeserverConfig;
import org.callhs.core.crypto.SigningKey;
import org.callhs.core.e2e.DeviceListUpdates;
import org.callhs.core.e2e.E2eWiring;
import org.callhs.core.s2s.ServerKeyEndpoints;
import org.callhs.core.api.OpenIdEndpoints;
import org.callhs.core.storage.repo.OpenIdTokenRepository;
import org.callhs.core.s2s.TlsMaterial;
import org.callhs.core.s2s.LocalServerData;
import org.callhs.core.todevice.ToDeviceService;
import org.callhs.core.storage.repo.ToDeviceRepository;
import org.callhs.core.storage.repo.RoomAliasRepository;
import org.callhs.core.http.HttpServers;
import org.callhs.core.http.MatrixHandler;
import org.callhs.core.http.Router;
import org.callhs.core.push.PushRuleService;
import org.callhs.core.ratelimit.RateLimiter;
import org.callhs.core.spi.HomeserverModule;
import org.callhs.core.spi.Migrations;
import org.callhs.core.spi.Routes;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.AccessTokenRepository;
import org.callhs.core.storage.repo.AccountDataRepository;
import org.callhs.core.storage.repo.CurrentStateRepository;
import org.callhs.core.storage.repo.DeviceRepository;
import org.callhs.core.storage.repo.FilterRepository;
import org.callhs.core.storage.repo.PresenceRepository;
import org.callhs.core.storage.repo.ProfileRepository;
import org.callhs.core.storage.repo.PushRuleRepository;
import org.callhs.core.storage.repo.StreamPositionRepository;
import org.callhs.core.storage.repo.UiaSessionRepository;
import org.callhs.core.storage.repo.UserRepository;
import org.callhs.core.presence.PresenceService;
import org.callhs.core.sync.SyncNotifier;
import org.callhs.core.util.HostPort;
import org.eclipse.jetty.server.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The assembled homeserver: storage, services, core endpoints, modules and listeners, wired
 * by constructor injection in one place. {@link #start} returns once both listeners accept
 * connections; {@link #close} stops gracefully (in-flight requests finish, then modules stop,
 * then the database closes).
 */
public final class Homeserver implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Homeserver.class);
    public static final String VERSION = versionString();
    public static final Migrations CORE_MIGRATIONS = new Migrations("core", "classpath:db/migration/core");

    private final Database database;
    private final Server server;
    private final ModuleRegistry modules;
    /** Closed after the modules stop, in order. */
    private final List<AutoCloseable> coreServices;

    private Homeserver(Database database, Server server, ModuleRegistry modules, List<AutoCloseable> coreServices) {
        this.coreServices = List.copyOf(coreServices);
        this.database = database;
        this.server = server;
        this.modules = modules;
    }

    /** Opens and migrates the database (core first, then each module's own history). */
    public static Database openDatabase(HomeserverConfig config, List<HomeserverModule> modules) {
        Database database = Database.open(config.effectiveDatabaseUrl(), config.database().maxPoolSize());
        try {
            List<Migrations> all = new ArrayList<>();
            all.add(CORE_MIGRATIONS);
            // Quartz's clustered job store, for the jobs that run once per cluster (PostgreSQL only: see ClusterJobs).
            if (config.cluster().enabled()) all.add(new Migrations("quartz", "classpath:db/migration/quartz"));
            for (HomeserverModule m : modules) all.addAll(m.migrations());
            database.migrate(all);
            return database;
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    /** Account services over an open database, for the server and for the {@code register-user} command. */
    public static AccountService accountService(HomeserverConfig config, Database database, Clock clock) {
        TokenAuthenticator authenticator = new TokenAuthenticator(database, new AccessTokenRepository(),
                new org.callhs.core.storage.repo.RefreshTokenRepository(), clock, new org.callhs.core.cluster.CacheInvalidations());
        DeviceService devices = new DeviceService(database, new DeviceRepository(), new AccessTokenRepository(), authenticator, clock,
                E2eWiring.offlineDeviceLists(database));
        return new AccountService(config.serverName(), database, new UserRepository(), new ProfileRepository(), devices,
                new PasswordHasher(), clock);
    }

    public static Homeserver start(ConfigLoader.Loaded loaded, List<HomeserverModule> moduleList, Clock clock) throws Exception {
        HomeserverConfig config = loaded.core();
        Database database = openDatabase(config, moduleList);
        List<AutoCloseable> coreServices = new ArrayList<>();
        try {
            SigningKey signingKey = SigningKey.loadOrCreate(config.signingKeyPath());
            SyncNotifier notifier = new SyncNotifier(new StreamPositionRepository().all(database.dsl()),
                    user -> new CurrentStateRepository().roomsWithMembership(database.dsl(), user, "join"));
            org.callhs.core.metrics.Metrics metrics = config.metrics().enabled()
                    ? org.callhs.core.metrics.Metrics.prometheus() : org.callhs.core.metrics.Metrics.off();
            coreServices.add(metrics);
            io.micrometer.core.instrument.MeterRegistry meters = metrics.registry();
            if (metrics.enabled()) database.bindMetrics(meters);
            io.micrometer.core.instrument.Gauge.builder("callhs.sync.waiting", notifier, SyncNotifier::waiting)
                    .description("Long-polls (/sync, sliding sync) waiting for something new").register(meters);
            RateLimiter limiter = rateLimiter(config, meters);
            org.callhs.core.cluster.CacheInvalidations invalidations = new org.callhs.core.cluster.CacheInvalidations();
            org.callhs.core.spi.ClusterJobs clusterJobs;
            if (config.cluster().enabled()) {
                var quartz = new org.callhs.core.cluster.QuartzClusterJobs(config.cluster().effectiveInstanceName(),
                        config.effectiveDatabaseUrl());
                coreServices.add(quartz);
                clusterJobs = quartz;
            } else {
                var local = new org.callhs.core.cluster.LocalJobs();
                coreServices.add(local);
                clusterJobs = local;
            }
            ModuleRegistry modules = new ModuleRegistry(loaded, database, clock, notifier, limiter, signingKey, invalidations, clusterJobs,
                    meters);
            for (HomeserverModule module : moduleList) {
                modules.install(module);
            }

            TokenAuthenticator authenticator = new TokenAuthenticator(database, new AccessTokenRepository(),
                    new org.callhs.core.storage.repo.RefreshTokenRepository(), clock, invalidations);
            org.callhs.core.spi.RemoteServers remote = modules.remoteServers();
            DeviceListUpdates deviceLists = E2eWiring.deviceLists(database, notifier, remote);
            DeviceService devices = new DeviceService(database, new DeviceRepository(), new AccessTokenRepository(), authenticator, clock,
                    deviceLists);
            UserRepository users = new UserRepository();
            ProfileRepository profiles = new ProfileRepository();
            AccountService accounts = new AccountService(config.serverName(), database, users, profiles, devices, new PasswordHasher(), clock);
            org.callhs.core.account.RefreshTokens refreshTokens = new org.callhs.core.account.RefreshTokens(database,
                    new AccessTokenRepository(), new org.callhs.core.storage.repo.RefreshTokenRepository(), users, authenticator, clock,
                    config.refreshTokens().enabled(), config.refreshTokens().accessTokenLifetimeSeconds() * 1000L,
                    config.refreshTokens().refreshTokenLifetimeSeconds() * 1000L);
            devices.useRefreshTokens(refreshTokens);
            UserInteractiveAuth uia = new UserInteractiveAuth(database, new UiaSessionRepository(), clock,
                    config.registration().uiaSessionLifetimeSeconds() * 1000L);
            PasswordCheck passwordCheck = new PasswordCheck(accounts);
            PresenceService presence = new PresenceService(database, new PresenceRepository(), new StreamPositionRepository(),
                    notifier, clock, invalidations);
            AccountDataService accountData = new AccountDataService(database, new AccountDataRepository(),
                    new StreamPositionRepository(), notifier, invalidations);
            // A rule change rewrites the user's m.push_rules account data marker, so /sync announces the new rules.
            PushRuleService pushRules = new PushRuleService(database, new PushRuleRepository(),
                    user -> accountData.put(user, "", AccountDataService.PUSH_RULES, "{}"));

            List<Routes> clientRoutes = new ArrayList<>(List.of(
                    new VersionsEndpoints(config, modules.features()),
                    new RegistrationEndpoints(accounts, uia, config.registration()),
                    new org.callhs.core.api.SharedSecretRegistrationEndpoints(accounts, config.registration().sharedSecret()),
                    new org.callhs.core.api.HealthEndpoints(VERSION),
                    new LoginEndpoints(accounts, devices, uia, passwordCheck, config, refreshTokens),
                    new DeviceEndpoints(devices, uia, passwordCheck),
                    new ProfileEndpoints(database, profiles, config.serverName(), remote),
                    new AccountDataEndpoints(accountData),
                    new FilterEndpoints(database, new FilterRepository()),
                    new PushRuleEndpoints(pushRules),
                    new PresenceEndpoints(database, presence, users),
                    new org.callhs.core.api.ThreePidEndpoints()));
            E2eWiring e2e = new E2eWiring(config.serverName(), database, deviceLists, clock, remote, invalidations);
            clientRoutes.addAll(e2e.routes(uia, passwordCheck));
            RoomWiring.Rooms rooms = RoomWiring.build(config, database, signingKey, clock, profiles, modules, notifier,
                    (user, oldRoom, newRoom) -> {
                        pushRules.copyRoomRules(user, oldRoom, newRoom);
                        if (accountData.find(user, newRoom, "m.tag").isEmpty()) {
                            accountData.find(user, oldRoom, "m.tag").ifPresent(tags -> accountData.put(user, newRoom, "m.tag", tags));
                        }
                    }, invalidations);
            clientRoutes.addAll(rooms.routes());
            var deactivation = new org.callhs.core.account.AccountDeactivation(database, users, profiles, devices, rooms.departure());
            clientRoutes.add(new org.callhs.core.api.DeactivationEndpoint(deactivation, uia, passwordCheck));
            clientRoutes.add(new org.callhs.core.admin.UserAdminEndpoints(new org.callhs.core.admin.UserAdmin(database,
                    new org.callhs.core.storage.repo.UserListing(), users, profiles, new AccessTokenRepository(), accounts, deactivation,
                    authenticator), devices, config.serverName()));
            clientRoutes.add(new org.callhs.core.admin.RoomAdminEndpoints(new org.callhs.core.admin.RoomAdmin(database,
                    new org.callhs.core.storage.repo.RoomSummaryRows(), rooms.reader(), config.serverName()), rooms.clientEvents()));
            org.callhs.core.admin.RoomDeletions roomDeletions = new org.callhs.core.admin.RoomDeletions(database,
                    new org.callhs.core.storage.repo.RoomDeletionRepository(), rooms.shutdown(), rooms.purger(), rooms.reader(),
                    config.serverName(), config.cluster().effectiveInstanceName(), clock);
            coreServices.add(roomDeletions);
            clientRoutes.add(new org.callhs.core.admin.RoomDeletionEndpoints(roomDeletions, rooms.blocked()));
            ToDeviceService toDevice = new ToDeviceService(database, new ToDeviceRepository(), new DeviceRepository(),
                    new StreamPositionRepository(), notifier, config.serverName(), remote, clock, invalidations);
            clientRoutes.addAll(SyncWiring.routes(config, database, clock, rooms, notifier, accountData, presence,
                    e2e.keys(), pushRules, modules, toDevice, invalidations));
            LocalServerData localData = localData(config, database, users, profiles, e2e, toDevice, deviceLists::remoteChanged);
            modules.bindLocal(localData, localData);
            OpenIdEndpoints openId = new OpenIdEndpoints(database, new OpenIdTokenRepository(), clock, config.serverName());
            clientRoutes.add(openId.clientRoutes());
            clientRoutes.addAll(modules.routes());
            Router clientRouter = new Router();
            clientRoutes.forEach(r -> r.endpoints().forEach(clientRouter::add));

            MatrixHandler clientHandler = new MatrixHandler(clientRouter, authenticator, limiter, config.http().maxBodyBytes(),
                    () -> null, metrics.enabled() ? new org.callhs.core.metrics.HttpMetrics(meters, HttpServers.CLIENT)
                            : org.callhs.core.metrics.HttpMetrics.off());

            ServerKeyEndpoints keyEndpoints = new ServerKeyEndpoints(config.serverName(), signingKey, clock, VERSION);
            Router federationRouter = new Router();
            keyEndpoints.endpoints().forEach(federationRouter::add);
            openId.federationRoutes().endpoints().forEach(federationRouter::add);
            modules.federationRoutes().forEach(r -> r.endpoints().forEach(federationRouter::add));
            MatrixHandler federationHandler = new MatrixHandler(federationRouter, token -> java.util.Optional.empty(), limiter,
                    config.http().maxBodyBytes(), modules::serverAuthenticator,
                    metrics.enabled() ? new org.callhs.core.metrics.HttpMetrics(meters, HttpServers.FEDERATION)
                            : org.callhs.core.metrics.HttpMetrics.off());

            HostPort federationListen = config.federation().enabled() ? HostPort.parse(config.federation().listen()) : null;
            KeyStore keys = federationListen == null ? null : TlsMaterial.load(config.federation().tlsCertificatePath(),
                    config.federation().tlsPrivateKeyPath(), config.dataPath(), config.serverName());
            Server server = HttpServers.build(HostPort.parse(config.listen()), clientHandler, federationListen, keys,
                    federationHandler, metrics.enabled() ? HostPort.parse(config.metrics().listen()) : null,
                    new org.callhs.core.metrics.MetricsHandler(metrics), 10_000);
            if (config.cluster().enabled()) {
                org.callhs.core.cluster.ClusterBus bus = new org.callhs.core.cluster.ClusterBus(config.cluster().effectiveInstanceName(),
                        config.effectiveDatabaseUrl(), database, notifier, rooms.eventListeners(), new StreamPositionRepository(),
                        invalidations);
                bus.start();
                coreServices.add(bus);
            }
            coreServices.add(rooms.eventListeners());
            server.start();
            Homeserver homeserver = new Homeserver(database, server, modules, coreServices);
            modules.started();
            roomDeletions.resumeInterrupted();
            if (clusterJobs instanceof org.callhs.core.cluster.QuartzClusterJobs quartz) quartz.start();
            log.atInfo().setMessage("homeserver started")
                    .addKeyValue("server_name", config.serverName())
                    .addKeyValue("client", config.listen().replaceFirst(":\\d+$", ":" + homeserver.clientPort()))
                    .addKeyValue("federation", federationListen == null ? "off" : "https port " + homeserver.federationPort())
                    .addKeyValue("version", VERSION)
                    .addKeyValue("modules", moduleList.stream().map(HomeserverModule::name).toList())
                    .log();
            if (config.registration().enabled()) {
                log.warn("Open registration is ENABLED: anyone who can reach {} can create an account{}", config.listen(),
                        config.registration().requireToken() ? " with a registration token" : "");
            }
            if (!config.rateLimits().enabled()) log.warn("Rate limiting is DISABLED (rate_limits.enabled=false)");
            return homeserver;
        } catch (Exception | Error e) {
            for (AutoCloseable service : coreServices) {
                try {
                    service.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            database.close();
            throw e;
        }
    }

    private static LocalServerData localData(HomeserverConfig config, Database database, UserRepository users,
                                             ProfileRepository profiles, E2eWiring e2e, ToDeviceService toDevice,
                                             java.util.function.Consumer<String> remoteDeviceListChanged) {
        return new LocalServerData(config.serverName(), database, users, profiles, new RoomAliasRepository(),
                new CurrentStateRepository(), new DeviceRepository(), e2e.keys(), toDevice, remoteDeviceListChanged);
    }

    private static RateLimiter rateLimiter(HomeserverConfig config, io.micrometer.core.instrument.MeterRegistry meters) {
        var limits = new java.util.HashMap<String, RateLimiter.Limit>();
        limits.put("login", limit(config.rateLimits().login()));
        limits.put("registration", limit(config.rateLimits().registration()));
        limits.put("message", limit(config.rateLimits().message()));
        limits.put("room_creation", limit(config.rateLimits().roomCreation()));
        limits.put("joins", limit(config.rateLimits().joins()));
        return new RateLimiter(config.rateLimits().enabled(), limits, System::nanoTime, meters);
    }

    private static RateLimiter.Limit limit(HomeserverConfig.Limit limit) {
        return new RateLimiter.Limit(limit.perSecond(), limit.burst());
    }

    public int clientPort() { return HttpServers.port(server, HttpServers.CLIENT); }

    public int federationPort() { return HttpServers.port(server, HttpServers.FEDERATION); }

    /** The metrics listener's actual port (metrics.listen must be set). */
    public int metricsPort() { return HttpServers.port(server, HttpServers.METRICS); }

    public Database database() { return database; }

    /** Blocks until the server has stopped. */
    public void join() throws InterruptedException { server.join(); }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            log.warn("error stopping HTTP listeners", e);
        }
        // Cluster jobs call into the modules: they stop first.
        for (AutoCloseable service : coreServices) {
            if (!(service instanceof org.callhs.core.spi.ClusterJobs)) continue;
            try {
                service.close();
            } catch (Exception e) {
                log.warn("error stopping {}", service.getClass().getSimpleName(), e);
            }
        }
        modules.stop();
        for (AutoCloseable service : coreServices) {
            if (service instanceof org.callhs.core.spi.ClusterJobs) continue;
            try {
                service.close();
            } catch (Exception e) {
                log.warn("error stopping {}", service.getClass().getSimpleName(), e);
            }
        }
        database.close();
        log.info("homeserver stopped");
    }

    private static String versionString() {
        String v = Homeserver.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-dev" : v;
    }
}
