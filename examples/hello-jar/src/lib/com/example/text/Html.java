package com.example.text;

/**
 * A deliberately tiny library, built into its own jar (app/lib/hello-text.jar)
 * so the example has a dependency jar that ecp puts in a separate image layer.
 */
public final class Html {
    private Html() {}

    /** Escapes text for use inside an HTML element or a quoted attribute. */
    public static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&': out.append("&amp;"); break;
                case '<': out.append("&lt;"); break;
                case '>': out.append("&gt;"); break;
                case '"': out.append("&quot;"); break;
                case '\'': out.append("&#39;"); break;
                default: out.append(c);
            }
        }
        return out.toString();
    }

    /** A minimal HTML page with a title and an already escaped body. */
    public static String page(String title, String bodyHtml) {
        return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>"
                + escape(title) + "</title></head>\n<body>\n" + bodyHtml + "\n</body></html>\n";
    }
}
