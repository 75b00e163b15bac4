// The reference oracle: renders templates through the real Apache Velocity 1.7 jar.
//
// Reads JSON Lines on stdin, one case a line:
//   {"template": "...", "context": {...}, "dialect": "velocity" | "aws"}
// and writes one JSON line per case:
//   {"output": "..."}  or  {"error": "java.lang.SomeException", "cause": "...", "message": "..."}
// (ASCII only: any other char is escaped, so half of a surrogate pair survives the trip).
//
// Dialect "velocity" is Velocity 1.7 with its default settings; context values are
// LinkedHashMap / ArrayList / Integer / Long / Double / Boolean as a Java caller would pass them.
// Dialect "aws" is 1.7 configured as ../shared/reference section 8.1 describes API Gateway:
// invalid references evaluate to "", no inline macros, no #evaluate; context values are what
// json-smart's ordered reader (the one Jayway uses, so what $util.parseJson gives) produces:
// LinkedHashMap objects and JSONArray arrays.
//
// A case may also carry an "aws" object, the API Gateway request:
//   {"body": "...", "params": {"path": {}, "querystring": {}, "header": {}},
//    "context": {...}, "stageVariables": {...}}
// and then the template also sees $input, $util, $context and $stageVariables, built here the
// way API Gateway builds them (../shared/reference sections 1-4): JSONPath is Jayway json-path
// over json-smart (JsonSmartJsonProvider), the $util functions are the Java library calls the
// reference names.
//
// Every case gets a fresh engine: 1.7 keeps inline macros in one global library that a later
// definition may not replace, so a shared engine would leak macros from case to case.
//
// Run with: java -cp <velocity 1.7, commons-collections, commons-lang, json-smart, accessors-smart,
//                     asm, json-path, slf4j-api> tools/reference/VelocityRef.java
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.StringWriter;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.PathNotFoundException;
import com.jayway.jsonpath.spi.json.JsonSmartJsonProvider;
import com.jayway.jsonpath.spi.mapper.JsonSmartMappingProvider;

import net.minidev.json.JSONValue;
import net.minidev.json.parser.JSONParser;

import org.apache.commons.lang.StringEscapeUtils;

import org.apache.velocity.VelocityContext;
import org.apache.velocity.app.event.EventCartridge;
import org.apache.velocity.app.event.InvalidReferenceEventHandler;
import org.apache.velocity.context.Context;
import org.apache.velocity.runtime.RuntimeInstance;
import org.apache.velocity.util.introspection.Info;

public class VelocityRef {

    /** API Gateway's reference policy: every invalid reference evaluates to the empty string. */
    public static class EmptyInvalidReferences implements InvalidReferenceEventHandler {
        public Object invalidGetMethod(Context c, String ref, Object obj, String prop, Info info) {
            return "";
        }

        public boolean invalidSetMethod(Context c, String left, String right, Info info) {
            return false;
        }

        public Object invalidMethod(Context c, String ref, Object obj, String method, Info info) {
            return "";
        }
    }

    /** Jayway json-path over json-smart: ordered maps (LinkedHashMap) and JSONArray lists. */
    static final Configuration JSONPATH = Configuration.builder()
            .jsonProvider(new JsonSmartJsonProvider())
            .mappingProvider(new JsonSmartMappingProvider())
            .build();

    /**
     * API Gateway's $input. The body is parsed once, on first use, and the parsed document is
     * shared by path() and json(): a value taken with path() and changed by #set shows in a later
     * json() (reference section 8, row 10).
     */
    public static class Input {
        private final String body;
        private final Map<String, Object> params;
        private DocumentContext document;
        private boolean parsed;

        Input(String body, Map<String, Object> params) {
            this.body = body.isEmpty() ? "{}" : body;  // an empty body reads as {} (section 1.2)
            this.params = params;
        }

        public String getBody() {
            return body;
        }

        private DocumentContext document() {
            if (!parsed) {
                parsed = true;
                // An unparsable body fails the render, as Jayway throws (json-smart still reads
                // text that is not JSON at all as one string).
                document = JsonPath.using(JSONPATH).parse(body);
            }
            return document;
        }

        /** The value at the JSONPath, or null (an invalid reference) when nothing is there. */
        public Object path(String jsonPath) {
            DocumentContext doc = document();
            try {
                return doc.read(jsonPath);
            } catch (PathNotFoundException e) {
                return null;
            }
        }

        /** The value at the JSONPath as JSON text; a missing value is the JSON string "" (section 1.3). */
        public String json(String jsonPath) {
            try {
                return JSONValue.toJSONString(document().read(jsonPath));
            } catch (PathNotFoundException e) {
                return JSONValue.toJSONString("");
            }
        }

        /** All parameters: {path: {...}, querystring: {...}, header: {...}}. */
        public Map<String, Object> params() {
            return params;
        }

        /** The named parameter, looked up in path, then querystring, then header. */
        public Object params(String name) {
            for (String where : new String[] {"path", "querystring", "header"}) {
                Object found = ((Map<?, ?>) params.get(where)).get(name);
                if (found != null) {
                    return found;
                }
            }
            return null;
        }
    }

    /** API Gateway's $util: the six documented functions, as the Java libraries do them. */
    public static class Util {
        private static String text(Object value) {
            return value == null ? null : value.toString();
        }

        public String escapeJavaScript(Object value) {
            return StringEscapeUtils.escapeJavaScript(text(value));
        }

        /**
         * Strict JSON (RFC 4627): a template should not pass offline and fail on AWS. Blank text
         * (characters up to U+0020 only) reads as json-smart's permissive parser, which Jayway's
         * provider uses, reads it: the empty string.
         */
        public Object parseJson(Object value) throws Exception {
            String text = text(value);
            boolean blank = text != null && text.trim().isEmpty();
            int mode = blank ? JSONParser.MODE_PERMISSIVE : JSONParser.MODE_RFC4627;
            return new JSONParser(mode).parse(text, JSONValue.defaultReader.DEFAULT_ORDERED);
        }

        public String urlEncode(Object value) throws Exception {
            return value == null ? null : URLEncoder.encode(text(value), "UTF-8");
        }

        public String urlDecode(Object value) throws Exception {
            return value == null ? null : URLDecoder.decode(text(value), "UTF-8");
        }

        public String base64Encode(Object value) {
            return value == null ? null
                    : Base64.getEncoder().encodeToString(text(value).getBytes(StandardCharsets.UTF_8));
        }

        public String base64Decode(Object value) {
            return value == null ? null
                    : new String(Base64.getDecoder().decode(text(value)), StandardCharsets.UTF_8);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> mapOf(Object value) {
        return value instanceof Map ? (Map<String, Object>) value : new LinkedHashMap<>();
    }

    /** The map at key, created empty (and stored) when absent. */
    static Map<String, Object> child(Map<String, Object> parent, String key) {
        Map<String, Object> m = mapOf(parent.get(key));
        parent.put(key, m);
        return m;
    }

    /** Puts $input, $util, $context and $stageVariables for the case's API Gateway request. */
    static void putApiGateway(VelocityContext ctx, Map<String, Object> aws) {
        Map<String, Object> given = mapOf(aws.get("params"));
        Map<String, Object> params = new LinkedHashMap<>();
        for (String where : new String[] {"path", "querystring", "header"}) {
            params.put(where, mapOf(given.get(where)));
        }
        Object body = aws.get("body");
        ctx.put("input", new Input(body == null ? "" : (String) body, params));
        ctx.put("util", new Util());
        Map<String, Object> context = mapOf(aws.get("context"));
        Map<String, Object> requestOverride = child(context, "requestOverride");
        for (String where : new String[] {"path", "header", "querystring"}) {  // AWS's order (section 3.2)
            child(requestOverride, where);
        }
        child(child(context, "responseOverride"), "header");
        ctx.put("context", context);
        ctx.put("stageVariables", mapOf(aws.get("stageVariables")));
    }

    static RuntimeInstance engine(String dialect) throws Exception {
        RuntimeInstance ri = new RuntimeInstance();
        ri.setProperty("runtime.log.logsystem.class", "org.apache.velocity.runtime.log.NullLogChute");
        if (dialect.equals("aws")) {
            ri.setProperty("velocimacro.permissions.allow.inline", "false");
        }
        ri.init();
        if (dialect.equals("aws")) {
            ri.removeDirective("evaluate");
        }
        return ri;
    }

    /** JSON values as a plain Java caller would build them (ArrayList instead of JSONArray). */
    static Object plainJava(Object v) {
        if (v instanceof Map) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                out.put((String) e.getKey(), plainJava(e.getValue()));
            }
            return out;
        }
        if (v instanceof List) {
            List<Object> out = new ArrayList<>();
            for (Object x : (List<?>) v) {
                out.add(plainJava(x));
            }
            return out;
        }
        return v;
    }

    /**
     * JSON text with every char from DEL up written as a JSON unicode escape: an output holding half
     * of a surrogate pair survives (a UTF-8 stream would turn it into '?').
     */
    static String asciiOnly(String json) {
        StringBuilder b = new StringBuilder(json.length());
        for (char ch : json.toCharArray()) {
            if (ch < 0x7f) {
                b.append(ch);
            } else {
                b.append(String.format("\\u%04x", (int) ch));
            }
        }
        return b.toString();
    }

    public static void main(String[] args) throws Exception {
        JSONParser parser = new JSONParser(JSONParser.MODE_PERMISSIVE);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(System.out, true, "UTF-8");
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) {
                continue;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> c = (Map<String, Object>) parser.parse(line, JSONValue.defaultReader.DEFAULT_ORDERED);
            String dialect = (String) c.getOrDefault("dialect", "velocity");
            Object given = c.get("context");
            VelocityContext ctx = new VelocityContext();
            if (given instanceof Map) {
                for (Map.Entry<?, ?> e : ((Map<?, ?>) given).entrySet()) {
                    Object v = dialect.equals("aws") ? e.getValue() : plainJava(e.getValue());
                    ctx.put((String) e.getKey(), v);
                }
            }
            if (c.get("aws") instanceof Map) {
                putApiGateway(ctx, mapOf(c.get("aws")));
            }
            if (dialect.equals("aws")) {
                // Attached to the context: the source launcher's class loader is not one
                // Velocity's by-name handler loading can see.
                EventCartridge cartridge = new EventCartridge();
                cartridge.addEventHandler(new EmptyInvalidReferences());
                cartridge.attachToContext(ctx);
            }
            Map<String, Object> result = new LinkedHashMap<>();
            try {
                StringWriter w = new StringWriter();
                engine(dialect).evaluate(ctx, w, "template", (String) c.get("template"));
                result.put("output", w.toString());
            } catch (Throwable t) {
                Throwable root = t;
                // Velocity wraps what a method threw; the cause names the real failure.
                while (root.getCause() != null && root.getClass().getName().endsWith("MethodInvocationException")) {
                    root = root.getCause();
                }
                result.put("error", t.getClass().getName());
                result.put("cause", root.getClass().getName());
                result.put("message", String.valueOf(t.getMessage()));
            }
            out.println(asciiOnly(JSONValue.toJSONString(result)));
        }
    }
}
