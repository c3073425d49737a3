"""App-only access tokens for Microsoft Graph (the OAuth2 client-credentials grant) through MSAL.

MSAL (Microsoft's own library) builds the token request for a client secret or a certificate (a
signed client assertion), finds the token endpoint from the tenant's OpenID configuration and
caches the token until shortly before it expires. A token that Graph rejects before that (revoked,
or the clock was wrong) is dropped from the cache by `renew()`, so the next one is fresh.
"""

from __future__ import annotations

import functools
import logging
import re

import msal
import requests

from knowledge.sources.base import SourceAuthError, SourceError

log = logging.getLogger(__name__)

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
_AADSTS = re.compile(r"AADSTS\d+")


class GraphToken:
    """Access tokens for one app registration in one tenant. The secret or the certificate's private
    key is kept only inside MSAL's client and never logged or shown."""

    def __init__(self, *, tenant_id: str, client_id: str, client_secret: str | None = None,
                 certificate_pem: str | None = None, authority_host: str = "https://login.microsoftonline.com",
                 scope: str = GRAPH_SCOPE, ca_file: str | None = None, timeout_s: float = 30.0) -> None:
        if bool(client_secret) == bool(certificate_pem):
            raise SourceAuthError("Geef voor SharePoint precies één van beide: een clientgeheim of een certificaat.")
        self._credential: str | dict = client_secret or {"private_key": certificate_pem,
                                                         "public_certificate": certificate_pem}
        self.authority = f"{authority_host.rstrip('/')}/{tenant_id}"
        self.client_id = client_id
        self.scope = scope
        self._ca_file = ca_file
        self._timeout_s = timeout_s
        self._app: msal.ConfidentialClientApplication | None = None

    def __repr__(self) -> str:  # never the credential
        return f"GraphToken(authority={self.authority!r}, client_id={self.client_id!r})"

    def get(self) -> str:
        """A valid access token, from MSAL's cache when it has one."""
        app = self._application()
        try:
            result = app.acquire_token_for_client(scopes=[self.scope])
        except (requests.RequestException, ValueError) as exc:
            raise SourceError(f"De aanmeldserver van Microsoft is niet bereikbaar ({type(exc).__name__}).") from exc
        if "access_token" not in result:
            raise SourceAuthError(_refusal(result))
        return result["access_token"]

    def renew(self) -> str:
        """A new token, after Graph refused the cached one."""
        cache = self._application().token_cache
        for entry in list(cache.search(msal.TokenCache.CredentialType.ACCESS_TOKEN)):
            cache.remove_at(entry)
        return self.get()

    def _application(self) -> msal.ConfidentialClientApplication:
        if self._app is None:
            try:  # MSAL reads the tenant's OpenID configuration here
                self._app = msal.ConfidentialClientApplication(
                    self.client_id, client_credential=self._credential, authority=self.authority,
                    instance_discovery=False, http_client=self._http_client(), timeout=self._timeout_s)
            except (requests.RequestException, ValueError) as exc:
                raise SourceAuthError(
                    f"De tenant {self.authority.rsplit('/', 1)[-1]!r} is bij Microsoft niet te vinden of "
                    f"niet bereikbaar ({type(exc).__name__}); controleer de tenant-id.") from exc
        return self._app


    def _http_client(self) -> requests.Session | None:
        """MSAL's own session, except with a CA file of our own: then every request names it, as
        requests lets REQUESTS_CA_BUNDLE win over a session's default."""
        if not self._ca_file:
            return None
        session = requests.Session()
        session.request = functools.partial(session.request, verify=self._ca_file, timeout=self._timeout_s)
        return session


def _refusal(result: dict) -> str:
    code = result.get("error") or "onbekend"
    detail = _AADSTS.search(result.get("error_description") or "")
    detail_text = f", {detail.group(0)}" if detail else ""
    return (f"Microsoft weigert de inloggegevens voor SharePoint ({code}{detail_text}): controleer de "
            "tenant-id, de client-id en het clientgeheim of certificaat, en de toestemming van de beheerder.")
