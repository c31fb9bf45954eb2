package com.example.hello;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the small subset of YAML that app/conf/application.yaml uses: nested
 * maps of scalars, indented with spaces. Nested keys become dotted keys
 * ("server.port"). Enough for the example and keeps the jar dependency free;
 * a real service would use a YAML library.
 */
final class FlatYaml {
    private FlatYaml() {}

    static Map<String, String> load(Path file) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        List<Integer> indents = new ArrayList<>();
        List<String> names = new ArrayList<>();
        int lineNo = 0;
        for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            lineNo++;
            String line = stripComment(raw);
            if (line.isBlank() || line.strip().equals("---")) continue;
            int indent = 0;
            while (indent < line.length() && line.charAt(indent) == ' ') indent++;
            int colon = line.indexOf(':', indent);
            if (colon < 0) {
                throw new IOException(file + ":" + lineNo + ": expected 'key: value'");
            }
            // Leaving a nested block: drop the parents at the same or deeper indentation.
            while (!indents.isEmpty() && indents.get(indents.size() - 1) >= indent) {
                indents.remove(indents.size() - 1);
                names.remove(names.size() - 1);
            }
            String key = line.substring(indent, colon).strip();
            String value = unquote(line.substring(colon + 1).strip());
            String prefix = names.isEmpty() ? "" : String.join(".", names) + ".";
            if (value.isEmpty()) {
                indents.add(indent);
                names.add(key);
            } else {
                values.put(prefix + key, value);
            }
        }
        return values;
    }

    private static String stripComment(String line) {
        boolean single = false, dbl = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\'' && !dbl) single = !single;
            else if (c == '"' && !single) dbl = !dbl;
            else if (c == '#' && !single && !dbl && (i == 0 || line.charAt(i - 1) == ' ')) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && ((v.startsWith("\"") && v.endsWith("\""))
                || (v.startsWith("'") && v.endsWith("'")))) {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }
}
