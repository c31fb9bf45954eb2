package com.example.hello;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * GET /: a page showing the "greeting" context parameter. The parameter is
 * declared in the rendered app/conf context XML (a <Parameter> whose value is
 * an autoconfig placeholder), so it comes from deployment configuration, not
 * from the webapp: one WAR, many environments.
 */
public class HelloServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private String greeting;

    @Override
    public void init() throws ServletException {
        greeting = getServletContext().getInitParameter("greeting");
        if (greeting == null) {
            // Fail the deployment loudly rather than serve a page without its config.
            throw new ServletException("context parameter 'greeting' is not set; check app/conf");
        }
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("text/html");
        resp.setCharacterEncoding("UTF-8");
        resp.getWriter().write("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                + "<title>hello-tomcat</title></head>\n<body>\n<h1 id=\"greeting\">"
                + escape(greeting) + "</h1>\n<p>Served by <b>hello-tomcat</b> on "
                + escape(getServletContext().getServerInfo()) + ".</p>\n</body></html>\n");
    }

    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
