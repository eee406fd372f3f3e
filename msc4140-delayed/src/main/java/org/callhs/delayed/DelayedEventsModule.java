package org.callhs.delayed;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.callhs.core.spi.ConfigSection;
import org.callhs.core.spi.Features;
import org.callhs.core.spi.HomeserverModule;
import org.callhs.core.spi.Migrations;
import org.callhs.core.spi.ModuleContext;
import org.callhs.core.storage.Database;
import org.callhs.core.util.Json;

/**
 * MSC4140 cancellable delayed events. Owns the {@code delayed_events} table (its own Flyway
 * history), the {@code delayed_events} configuration section, the scheduling hook on
 * {@code /send} and {@code /state}, the management endpoints, and the Quartz timer that sends.
 */
public final class DelayedEventsModule implements HomeserverModule {
    public static final ConfigSection<DelayedEventsConfig> CONFIG =
            new ConfigSection<>(DelayedEventsConfig.SECTION, DelayedEventsConfig.class, DelayedEventsConfig.defaults());

    @Override
    public String name() { return "msc4140-delayed"; }

    @Override
    public List<ConfigSection<?>> configSections() { return List.of(CONFIG); }

    @Override
    public List<Migrations> migrations() { return List.of(new Migrations("msc4140", "classpath:db/migration/msc4140")); }

    @Override
    public void install(ModuleContext context) throws Exception {
        DelayedEventsConfig config = context.config(CONFIG);
        config.validate();
        Database database = context.database();
        Clock clock = context.clock();
        context.rateLimits().define(DelayedEventEndpoints.MANAGEMENT_LIMIT, config.managementRateLimit().perSecond(),
                config.managementRateLimit().burst());

        DelayedEventRepository repository = new DelayedEventRepository();
        var cluster = context.coreConfig().cluster();
        DueClock dueClock = new DueClock(clock, cluster.enabled());
        DelayedEventMetrics metrics = new DelayedEventMetrics(context.meters(), () -> repository.countAllScheduled(database.dsl()));
        DelayedEventFirer firer = new DelayedEventFirer(database, repository, context::eventSender, clock, dueClock,
                cluster.enabled() ? cluster.effectiveInstanceName() : null, config.firingConcurrency(), metrics);
        FiringTimer timer = new FiringTimer(clock, new FiringTimer.Work() {
            @Override
            public Long fireDue() throws InterruptedException {
                int handled = firer.fireDue();
                Long next = repository.nextDue(database.dsl(), dueClock.now()).orElse(null);
                // Nothing sent yet something due already: another instance holds it, or the database's clock is a little
                // behind ours; look again in 20 ms rather than at once. A next time still ahead is kept as it is: this run
                // may well have sent nothing because it only found restarted events, and the next one due must not wait.
                long now = clock.millis();
                if (next != null && handled == 0 && next <= now) next = now + 20;
                return next;
            }

            @Override
            public void prune() {
                long cutoff = clock.millis() - config.finalisedRetentionHours() * 3_600_000L;
                database.transaction(tx -> repository.deleteFinalisedBefore(tx, cutoff));
                database.transaction(tx -> repository.deleteFinalisedBeyond(tx, config.finalisedMaxPerUser()));
            }
        }, config.sweepIntervalMs(), cluster.enabled() ? context.clusterJobs() : null);
        RestartBatcher restarts = new RestartBatcher(database, repository, dueClock, config.restartCommitters(), metrics);
        DelayedEventService service = new DelayedEventService(database, repository, new DelayIds(), config, clock, context::eventSender,
                context.rateLimits(), firer, timer, dueClock, metrics);

        context.addSendInterceptor(new DelayedSendInterceptor(service));
        context.addRoutes(new DelayedEventEndpoints(service, restarts));
        context.addRoutes(new DelayedEventAdminEndpoints(service, context.coreConfig().serverName()));
        context.setDelayedEventActions(new ModuleDelayedEventActions(service, restarts));
        context.addEventListener(new StateOverwriteCanceller(database, repository, clock));
        // A purged room's delayed events go with it (admin room deletion).
        context.addRoomPurgeHook(repository::deleteRoom);
        context.addUnsignedContributor(new DelayIdUnsigned());
        context.addFeatures(features(config));
        context.onStarted(() -> {
            try {
                timer.start();
            } catch (org.quartz.SchedulerException e) {
                throw new IllegalStateException("could not start the delayed-event timer", e);
            }
        });
        // Stopped in reverse order: the timer first, then in-flight sends, then pending restarts.
        context.onStop(restarts);
        context.onStop(firer);
        context.onStop(timer);
    }

    private static Features features(DelayedEventsConfig config) {
        return new Features() {
            @Override
            public Map<String, Boolean> unstableFeatures() {
                return Map.of("org.matrix.msc4140", config.enabled());
            }

            @Override
            public Map<String, ObjectNode> capabilities() {
                return Map.of("org.matrix.msc4140.delayed_events",
                        Json.object().put("max_delay_ms", config.maxDelayMs()).put("max_scheduled", config.maxScheduledPerUser()));
            }
        };
    }
}
