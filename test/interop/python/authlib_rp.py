"""A native-app relying party written with Authlib (Debian's python3-authlib).

Usage: /usr/bin/python3 authlib_rp.py ISSUER

Runs the authorization code flow with PKCE (S256) as the public client
interactive.public, receiving the callback on a loopback port of its own
(RFC 8252 section 7.3). Prints one JSON line with the authorization URL for
the user's browser, waits for the browser to arrive at the callback, then
exchanges the code, validates the ID token against the provider's JWKS and
reads userinfo. Prints one JSON line with the result and exits 0, or prints
an error and exits 1.
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.oidc.core import CodeIDToken

CLIENT_ID = "interactive.public"


def main(issuer):
    meta = requests.get(issuer + "/.well-known/openid-configuration", timeout=10).json()
    if meta["issuer"] != issuer:
        raise RuntimeError("issuer mismatch: " + meta["issuer"])

    received = {}

    class Callback(BaseHTTPRequestHandler):
        def do_GET(self):
            received["path"] = self.path
            body = b"You can close this window."
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Callback)
    server.timeout = 30
    redirect_uri = "http://127.0.0.1:%d/callback" % server.server_address[1]

    session = OAuth2Session(
        CLIENT_ID,
        scope="openid profile email",
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
    )
    verifier = generate_token(64)
    nonce = generate_token(24)
    url, state = session.create_authorization_url(meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce)
    print(json.dumps({"authorization_url": url}), flush=True)

    server.handle_request()
    server.server_close()
    if "path" not in received:
        raise RuntimeError("the browser never came back to " + redirect_uri)
    callback = "http://127.0.0.1:%d%s" % (server.server_address[1], received["path"])
    query = parse_qs(urlparse(callback).query)
    # RFC 9207: the provider says who answered.
    if query.get("iss") != [issuer]:
        raise RuntimeError("iss in the callback is %r" % query.get("iss"))

    # Checks state, sends code_verifier.
    token = session.fetch_token(meta["token_endpoint"], authorization_response=callback, code_verifier=verifier)

    keys = JsonWebKey.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())
    claims = jwt.decode(
        token["id_token"],
        keys,
        claims_cls=CodeIDToken,
        claims_options={"iss": {"essential": True, "value": issuer}},
        claims_params={"nonce": nonce, "client_id": CLIENT_ID},
    )
    claims.validate()

    userinfo = session.get(meta["userinfo_endpoint"], timeout=10)
    userinfo.raise_for_status()
    print(json.dumps({
        "state_checked": state is not None,
        "token_type": token["token_type"],
        "scope": token.get("scope"),
        "id_token_claims": dict(claims),
        "userinfo": userinfo.json(),
    }), flush=True)


if __name__ == "__main__":
    try:
        main(sys.argv[1].rstrip("/"))
    except Exception as e:  # report, do not dump a trace to the caller
        print(json.dumps({"error": type(e).__name__, "message": str(e)}), flush=True)
        sys.exit(1)
