"""A server-side relying party using the hybrid flow, written with Authlib
(Debian's python3-authlib), as IdentityServer's MVC hybrid sample did.

Usage: /usr/bin/python3 authlib_hybrid_rp.py ISSUER

Client interactive.confidential.hybrid (secret "secret"), response_type
"code id_token token", response_mode form_post, PKCE S256, nonce. Prints one
JSON line with the authorization URL for the user's browser, then reads one
JSON line on stdin: the form fields the browser POSTed to the redirect URI
(OAuth 2.0 Form Post Response Mode). Checks state and iss, validates the
front-channel ID token with Authlib's HybridIDToken (signature, nonce,
c_hash, at_hash), exchanges the code with client_secret_basic, validates the
token endpoint's ID token (same iss and sub, OIDC Core 3.3.3.6) and calls
userinfo with both access tokens. Prints one JSON line with the result and
exits 0, or prints an error and exits 1.
"""
import json
import sys

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken, HybridIDToken

CLIENT_ID = "interactive.confidential.hybrid"
CLIENT_SECRET = "secret"
REDIRECT_URI = "http://localhost:3000/callback"
RESPONSE_TYPE = "code id_token token"


def main(issuer):
    meta = requests.get(issuer + "/.well-known/openid-configuration", timeout=10).json()
    if meta["issuer"] != issuer:
        raise RuntimeError("issuer mismatch: " + meta["issuer"])
    if RESPONSE_TYPE not in meta["response_types_supported"]:
        raise RuntimeError("the provider does not offer " + RESPONSE_TYPE)

    session = OAuth2Session(
        CLIENT_ID,
        CLIENT_SECRET,
        scope="openid profile email api",
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )
    verifier = generate_token(64)
    nonce = generate_token(24)
    url, state = session.create_authorization_url(
        meta["authorization_endpoint"],
        response_type=RESPONSE_TYPE,
        response_mode="form_post",
        # Authlib adds PKCE for response_type=code only; the demo client requires it for its codes (RFC 7636).
        code_challenge=create_s256_code_challenge(verifier),
        code_challenge_method="S256",
        nonce=nonce,
    )
    print(json.dumps({"authorization_url": url}), flush=True)

    posted = json.loads(sys.stdin.readline())
    if "error" in posted:
        raise RuntimeError("authorization error: %s %s" % (posted["error"], posted.get("error_description")))
    if posted.get("state") != state:
        raise RuntimeError("state mismatch")
    # RFC 9207: the provider says who answered.
    if posted.get("iss") != issuer:
        raise RuntimeError("iss in the response is %r" % posted.get("iss"))

    keys = JsonWebKey.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())
    front = jwt.decode(
        posted["id_token"],
        keys,
        claims_cls=HybridIDToken,
        claims_options={"iss": {"essential": True, "value": issuer}},
        claims_params={"nonce": nonce, "client_id": CLIENT_ID, "code": posted["code"], "access_token": posted["access_token"]},
    )
    front.validate()  # signature, iss, aud, exp, nonce, c_hash and at_hash (both required here)

    token = session.fetch_token(meta["token_endpoint"], code=posted["code"], code_verifier=verifier, state=state)
    back = jwt.decode(
        token["id_token"],
        keys,
        claims_cls=CodeIDToken,
        claims_options={"iss": {"essential": True, "value": issuer}},
        claims_params={"nonce": nonce, "client_id": CLIENT_ID, "access_token": token["access_token"]},
    )
    back.validate()
    if back["sub"] != front["sub"] or back["iss"] != front["iss"]:
        raise RuntimeError("the two ID tokens name different users")

    def userinfo(access_token):
        res = requests.get(meta["userinfo_endpoint"], headers={"Authorization": "Bearer " + access_token}, timeout=10)
        res.raise_for_status()
        return res.json()

    print(json.dumps({
        "front_channel": {"token_type": posted.get("token_type"), "scope": posted.get("scope"), "id_token_claims": dict(front)},
        "token_endpoint": {"token_type": token["token_type"], "has_refresh_token": "refresh_token" in token, "id_token_claims": dict(back)},
        "userinfo_front": userinfo(posted["access_token"]),
        "userinfo_back": userinfo(token["access_token"]),
    }), flush=True)


if __name__ == "__main__":
    try:
        main(sys.argv[1].rstrip("/"))
    except Exception as e:  # report, do not dump a trace to the caller
        print(json.dumps({"error": type(e).__name__, "message": str(e)}), flush=True)
        sys.exit(1)
