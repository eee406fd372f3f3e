package org.callhs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The markdown pieces shared by the reports ({@link FoundationReport}, {@link ScenarioReport}):
 * the machine table, the error lines and the figures table: one
 * column per server, one line per {@link Row}, and, with two servers or more, a last column
 * with the ratio of the first server's figure to the second's. Figures that are missing, and
 * ratios over a missing or zero figure, print as "n/a".
 */
final class FiguresTable {

    /** What the table needs of one server: its label (the column header) and its {@code <label>.env} figures. */
    interface Server {

        String label();

        Map<String, String> env();

        /** The number recorded under {@code key} in {@code <label>.env}, or null. */
        default Double env(String key) {
            String value = env().get(key);
            try {
                return value == null || value.isBlank() ? null : Double.parseDouble(value.trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    /**
     * One line of the table: a figure, how to read it from a server (null when missing), the
     * {@link String#format} pattern of its unit, and which way is better.
     */
    record Row<S extends Server>(String name, Function<S, Double> value, String format, boolean higherIsBetter) { }

    private FiguresTable() {
    }

    /** Prints the header, the rule and one line per row; the ratio column is LABEL1 ÷ LABEL2. */
    static <S extends Server> void print(PrintStream out, List<S> servers, List<Row<S>> rows) {
        StringBuilder header = new StringBuilder("| figure |");
        StringBuilder rule = new StringBuilder("|---|");
        for (S server : servers) {
            header.append(' ').append(server.label()).append(" |");
            rule.append("---:|");
        }
        boolean ratio = servers.size() >= 2;
        if (ratio) {
            header.append(' ').append(servers.get(0).label()).append(" ÷ ").append(servers.get(1).label()).append(" |");
            rule.append("---:|");
        }
        out.println(header);
        out.println(rule);
        for (Row<S> row : rows) {
            StringBuilder line = new StringBuilder("| ").append(row.name()).append(row.higherIsBetter() ? " ↑" : " ↓").append(" |");
            List<Double> values = new ArrayList<>();
            for (S server : servers) {
                Double value = row.value().apply(server);
                values.add(value);
                line.append(' ').append(value == null ? "n/a" : String.format(Locale.ROOT, row.format(), value)).append(" |");
            }
            if (ratio) {
                Double a = values.get(0);
                Double b = values.get(1);
                line.append(' ').append(a == null || b == null || b == 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", a / b)).append(" |");
            }
            out.println(line);
        }
    }

    /** Prints the "### Machine" section: one line per key of {@code machine.env}. */
    static void printMachine(PrintStream out, Map<String, String> machine) {
        out.println("### Machine");
        out.println();
        out.println("| | |");
        out.println("|---|---|");
        machine.forEach((key, value) -> out.println("| " + key + " | " + value.replace("|", "\\|") + " |"));
        out.println();
    }

    /** Prints "- LABEL SCENARIO errors: {SERIES KEY=COUNT, ...}" when the run recorded errors. */
    static void printErrors(PrintStream out, String label, String scenario, JsonNode run) {
        if (run == null) {
            return;
        }
        Map<String, Long> errors = new LinkedHashMap<>();
        for (JsonNode series : run.path("series")) {
            series.path("errors").properties().forEach(e -> errors.merge(series.path("name").asText() + " " + e.getKey(), e.getValue().asLong(), Long::sum));
        }
        if (!errors.isEmpty()) {
            out.println("- " + label + " " + scenario + " errors: " + errors);
        }
    }

    static Double mib(Double kib) {
        return kib == null || kib < 0 ? null : kib / 1024.0;
    }

    static Double thousandth(Double value) {
        return value == null ? null : value / 1000.0;
    }

    /** Prints "- LABEL: STATUS" when the server's {@code status} is recorded and is not "ok". */
    static void printStatus(PrintStream out, Server server) {
        String status = server.env().get("status");
        if (status != null && !status.equals("ok")) {
            out.println("- " + server.label() + ": " + status);
        }
    }
}
