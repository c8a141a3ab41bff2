"""Headers whitenoise adds to every static file (WHITENOISE_ADD_HEADERS_FUNCTION).

Static files are answered by whitenoise before the middleware that sets the pages' security
headers (CSP, X-Frame-Options) runs. A static file is never a page: opened on its own (an SVG,
say) it may run nothing, embed nothing and be framed by no one, and its type is never sniffed.
"""

STATIC_FILE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    "X-Frame-Options": "DENY",
}


def add_headers(headers, path, url):
    for name, value in STATIC_FILE_HEADERS.items():
        headers[name] = value
