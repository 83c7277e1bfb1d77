package io.memsession.tomcat;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import javax.servlet.http.Cookie;

import org.apache.catalina.authenticator.SavedRequest;
import org.apache.tomcat.util.buf.ByteChunk;

/**
 * Tomcat 7's {@link SavedRequest} (the request that led to a FORM login page), which does not serialize, as
 * memcached keeps it, so a login begun on one Tomcat ends on another with the original request.
 */
final class StoredRequest implements Serializable {

    private static final long serialVersionUID = 1L;

    private final ArrayList<Cookie> cookies = new ArrayList<>();
    private final LinkedHashMap<String, ArrayList<String>> headers = new LinkedHashMap<>();
    private final ArrayList<Locale> locales = new ArrayList<>();
    private final String method;
    private final String queryString;
    private final String requestURI;
    private final String decodedRequestURI;
    private final byte[] body;
    private final String contentType;

    StoredRequest(SavedRequest request) {
        for (Iterator<Cookie> it = request.getCookies(); it.hasNext();) {
            cookies.add(it.next());
        }
        for (Iterator<String> names = request.getHeaderNames(); names.hasNext();) {
            String name = names.next();
            ArrayList<String> values = new ArrayList<>();
            for (Iterator<String> it = request.getHeaderValues(name); it.hasNext();) {
                values.add(it.next());
            }
            headers.put(name, values);
        }
        for (Iterator<Locale> it = request.getLocales(); it.hasNext();) {
            locales.add(it.next());
        }
        this.method = request.getMethod();
        this.queryString = request.getQueryString();
        this.requestURI = request.getRequestURI();
        this.decodedRequestURI = request.getDecodedRequestURI();
        ByteChunk savedBody = request.getBody();
        this.body = savedBody == null ? null
                : Arrays.copyOfRange(savedBody.getBytes(), savedBody.getStart(), savedBody.getEnd());
        this.contentType = request.getContentType();
    }

    SavedRequest toSavedRequest() {
        SavedRequest request = new SavedRequest();
        cookies.forEach(request::addCookie);
        for (Map.Entry<String, ArrayList<String>> header : headers.entrySet()) {
            for (String value : header.getValue()) {
                request.addHeader(header.getKey(), value);
            }
        }
        locales.forEach(request::addLocale);
        request.setMethod(method);
        request.setQueryString(queryString);
        request.setRequestURI(requestURI);
        request.setDecodedRequestURI(decodedRequestURI);
        if (body != null) {
            ByteChunk chunk = new ByteChunk();
            chunk.setBytes(body, 0, body.length);
            request.setBody(chunk);
        }
        request.setContentType(contentType);
        return request;
    }
}
