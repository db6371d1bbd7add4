package dev.otpgate.support;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Searches every text and binary column of every table of the current schema for byte strings: the proof that
 * nothing about a person is left anywhere, whatever table a future version adds.
 */
public final class DatabaseSearch {

    private DatabaseSearch() {}

    /** {@code label → needle}; answers {@code "table.column: label"} for every column holding a needle. */
    public static List<String> find(JdbcClient jdbc, Map<String, byte[]> needles) {
        List<Map<String, String>> columns = jdbc.sql("select table_name, column_name, data_type from information_schema.columns "
                        + "where table_schema = current_schema() order by table_name, column_name")
                .query((rs, row) -> Map.of("table", rs.getString(1), "column", rs.getString(2),
                        "type", rs.getString(3).toLowerCase(Locale.ROOT)))
                .list();
        List<String> found = new ArrayList<>();
        int searched = 0;
        for (Map<String, String> column : columns) {
            String type = column.get("type");
            boolean binary = type.contains("bytea") || type.contains("binary");
            boolean text = type.contains("char") || type.contains("text") || type.contains("json");
            if (!binary && !text) {
                continue;
            }
            searched++;
            String sql = "select \"" + column.get("column") + "\" from \"" + column.get("table") + "\"";
            List<byte[]> values = jdbc.sql(sql).query((rs, row) -> binary ? rs.getBytes(1)
                    : rs.getString(1) == null ? null : rs.getString(1).getBytes(StandardCharsets.UTF_8)).list();
            for (byte[] value : values) {
                if (value == null) {
                    continue;
                }
                needles.forEach((label, needle) -> {
                    if (contains(value, needle)) {
                        found.add(column.get("table") + "." + column.get("column") + ": " + label);
                    }
                });
            }
        }
        if (searched < 20) {
            throw new AssertionError("searched only " + searched + " columns: the schema query found too little");
        }
        return found.stream().distinct().toList();
    }

    /** The forms a phone number is written in: E.164, without the plus, and the national number. */
    public static Map<String, byte[]> phoneForms(String e164) {
        Map<String, byte[]> forms = new LinkedHashMap<>();
        forms.put("E.164", e164.getBytes(StandardCharsets.UTF_8));
        forms.put("digits", e164.substring(1).getBytes(StandardCharsets.UTF_8));
        forms.put("national", e164.substring(2).getBytes(StandardCharsets.UTF_8));
        return forms;
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
