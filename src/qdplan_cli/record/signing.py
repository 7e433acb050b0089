"""This laptop's signing key (Ed25519, ``cryptography``): the only module that imports it.

Each laptop makes a key pair at first use and keeps the private key owner-only (0600) in its
data directory (``laptop-key.pem``, next to ``laptop-id``). What it signs is an incident's head
(``handover.head_payload``): since the head hash seals every event before it, the signature
covers the whole chain. Someone who alters a hand-over file and recomputes every hash with the
published formula cannot recompute the signature; the centre refuses it, naming the incident.

The public key travels as 32 raw bytes in base64; the centre registers it on a laptop's first
push, or by ``qdplan archive trust`` after checking the fingerprint with the hall.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from qdplan_cli.plan.errors import UserError

KEY_FILE = "laptop-key.pem"


@dataclass(frozen=True)
class LaptopKey:
    private: Ed25519PrivateKey

    @property
    def public(self) -> str:
        raw = self.private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return base64.b64encode(raw).decode("ascii")

    def sign(self, payload: bytes) -> str:
        return base64.b64encode(self.private.sign(payload)).decode("ascii")


def generate() -> LaptopKey:
    return LaptopKey(Ed25519PrivateKey.generate())


def fingerprint(public: str) -> str:
    """What staff read to each other by phone: 16 hex digits of SHA-256 in groups of four."""
    digest = hashlib.sha256(public.encode("ascii")).hexdigest()[:16].upper()
    return "-".join(digest[n : n + 4] for n in range(0, 16, 4))


def valid_public(public: str) -> bool:
    try:
        raw = base64.b64decode(public.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        return False
    return len(raw) == 32


def check(public: str, payload: bytes, signature: str) -> bool:
    """Whether ``signature`` is ``public``'s over ``payload`` (False for any malformed part)."""
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public, validate=True))
        key.verify(base64.b64decode(signature, validate=True), payload)
    except (InvalidSignature, ValueError, binascii.Error, TypeError):
        return False
    return True


def laptop_key(directory: Path | None = None) -> LaptopKey:
    """This laptop's key, made and saved (0600) at first use."""
    if directory is None:
        from qdplan_cli.record.store import data_dir

        directory = data_dir()
    path = directory / KEY_FILE
    try:
        pem = path.read_bytes()
    except FileNotFoundError:
        pem = b""
    except OSError as exc:
        raise UserError(f"无法读取本机签名密钥：{exc.strerror}", field=str(path)) from None
    if pem:
        try:
            loaded = serialization.load_pem_private_key(pem, password=None)
        except ValueError:
            raise UserError(
                "本机签名密钥文件已损坏；请联系中心管理员（不要删除：删除后须重新登记公钥）",
                field=str(path),
            ) from None
        if not isinstance(loaded, Ed25519PrivateKey):
            raise UserError("本机签名密钥不是 Ed25519 密钥", field=str(path))
        return LaptopKey(loaded)
    made = generate()
    pem = made.private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:  # another qdplan made it just now: use that one
        return laptop_key(directory)
    except OSError as exc:
        raise UserError(f"无法保存本机签名密钥：{exc.strerror}", field=str(path)) from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return made
