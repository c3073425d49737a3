"""Certificates for local test servers that must speak https (MSAL accepts no other authority): a
throw-away certificate authority, a server certificate for 127.0.0.1 signed by it, and client
certificates for the certificate credential of an app registration."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class KeyPair:
    certificate_pem: str
    private_key_pem: str

    @property
    def pem(self) -> str:
        """Key and certificate in one PEM text, as an admin's certificate file holds them."""
        return self.private_key_pem + self.certificate_pem

    @property
    def public_key(self):
        return x509.load_pem_x509_certificate(self.certificate_pem.encode()).public_key()


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _pem(key: rsa.RSAPrivateKey, certificate: x509.Certificate) -> KeyPair:
    return KeyPair(certificate.public_bytes(serialization.Encoding.PEM).decode(),
                   key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption()).decode())


def _builder(subject: x509.Name, issuer: x509.Name, public_key) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.timezone.utc)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1)))


class TestAuthority:
    """A certificate authority for one test session; `ca_file` is what clients trust."""

    __test__ = False  # not a pytest test class

    def __init__(self, folder: Path) -> None:
        self._key = _key()
        name = _name("Vraagbaak test CA")
        self._certificate = (_builder(name, name, self._key.public_key())
                             .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                             .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False),
                                            critical=True)
                             .sign(self._key, hashes.SHA256()))
        self.ca_file = folder / "test-ca.pem"
        self.ca_file.write_text(_pem(self._key, self._certificate).certificate_pem)
        server_key = _key()
        server = (_builder(_name("127.0.0.1"), name, server_key.public_key())
                  .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                 critical=False)
                  .sign(self._key, hashes.SHA256()))
        pair = _pem(server_key, server)
        self.server_file = folder / "test-server.pem"
        self.server_file.write_text(pair.pem)

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.server_file)
        return context


def client_certificate(common_name: str = "vraagbaak-app") -> KeyPair:
    """A self-signed certificate as an admin uploads to an app registration."""
    key = _key()
    certificate = _builder(_name(common_name), _name(common_name), key.public_key()).sign(key, hashes.SHA256())
    return _pem(key, certificate)
