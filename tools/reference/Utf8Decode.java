// What Java 17 makes of bytes as UTF-8 text: `new String(bytes, StandardCharsets.UTF_8)`, which
// API Gateway applies to a payload (and $util.base64Decode, $util.urlDecode to what they decode).
//
// Reads lines of hex (one byte sequence a line, "" for none) on stdin and writes, for each, the
// UTF-16 code units of the decoded text as 4-digit hex, space-separated (a blank line for none).
//
// Run with: java tools/reference/Utf8Decode.java < sequences.txt
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

public class Utf8Decode {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        PrintStream out = new PrintStream(System.out, false, "US-ASCII");
        String line;
        while ((line = in.readLine()) != null) {
            byte[] bytes = new byte[line.length() / 2];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) Integer.parseInt(line.substring(2 * i, 2 * i + 2), 16);
            }
            String text = new String(bytes, StandardCharsets.UTF_8);
            StringBuilder units = new StringBuilder();
            for (int i = 0; i < text.length(); i++) {
                if (i > 0) {
                    units.append(' ');
                }
                units.append(String.format("%04x", (int) text.charAt(i)));
            }
            out.println(units);
        }
        out.flush();
    }
}
