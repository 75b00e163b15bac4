/*
 * What Jackson makes of a Lambda payload: for each JSON line {"body": ...} on standard input, the
 * line back with "jackson": the message ObjectMapper.readTree throws on the body's UTF-8 bytes,
 * or null when it parses, with Jackson's default settings (the source is REDACTED in locations,
 * as in the errors Lambda answers today).
 * Run by tools/record_lambda_json.py.
 */
import com.fasterxml.jackson.core.*;
import com.fasterxml.jackson.databind.*;
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.*;

public class JacksonRef {
    public static void main(String[] args) throws Exception {
        ObjectMapper io = new ObjectMapper();
        ObjectMapper lambda = new ObjectMapper();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) continue;
            String body = io.readTree(line).get("body").asText();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("body", body);
            try {
                lambda.readTree(body.getBytes(StandardCharsets.UTF_8));
                out.put("jackson", null);
            } catch (JsonProcessingException e) {
                out.put("jackson", e.getLocation() == null ? e.getOriginalMessage()
                        : e.getOriginalMessage() + "\n at " + e.getLocation().toString().replaceFirst("^\\[", "["));
            }
            System.out.println(io.writeValueAsString(out));
        }
    }
}
