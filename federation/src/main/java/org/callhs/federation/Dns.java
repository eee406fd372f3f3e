package org.callhs.federation;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Hashtable;
import java.util.List;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;

/** Name lookups for server discovery; tests replace it with fixed answers. */
public interface Dns {
    /** A, AAAA (and CNAME-followed) addresses of a host. */
    List<InetAddress> addresses(String host) throws UnknownHostException;

    /** SRV records of {@code name} (e.g. {@code _matrix-fed._tcp.example.org}), best first; empty when there are none. */
    List<Srv> srv(String name);

    record Srv(String target, int port, int priority, int weight) {}

    /** The JDK's resolver for addresses, and its JNDI DNS provider for SRV records. */
    static Dns system() {
        return new Dns() {
            @Override
            public List<InetAddress> addresses(String host) throws UnknownHostException {
                return List.of(InetAddress.getAllByName(host));
            }

            @Override
            public List<Srv> srv(String name) {
                Hashtable<String, String> env = new Hashtable<>();
                env.put("java.naming.factory.initial", "com.sun.jndi.dns.DnsContextFactory");
                env.put("com.sun.jndi.dns.timeout.initial", "2000");
                env.put("com.sun.jndi.dns.timeout.retries", "2");
                List<Srv> out = new ArrayList<>();
                try {
                    DirContext context = new InitialDirContext(env);
                    try {
                        Attribute records = context.getAttributes(name, new String[] {"SRV"}).get("SRV");
                        if (records == null) return List.of();
                        for (int i = 0; i < records.size(); i++) {
                            String[] parts = records.get(i).toString().trim().split("\\s+");
                            if (parts.length != 4) continue;
                            String target = parts[3].endsWith(".") ? parts[3].substring(0, parts[3].length() - 1) : parts[3];
                            if (target.isEmpty()) continue; // "." means the service is not offered
                            out.add(new Srv(target, Integer.parseInt(parts[2]), Integer.parseInt(parts[0]), Integer.parseInt(parts[1])));
                        }
                    } finally {
                        context.close();
                    }
                } catch (NamingException | NumberFormatException e) {
                    return List.of();
                }
                out.sort(Comparator.comparingInt(Srv::priority).thenComparing(Comparator.comparingInt(Srv::weight).reversed()));
                return out;
            }
        };
    }
}
