"""Envelope encryption, pure Python over ``cryptography`` (no Django import; decision 0031).

Each secret has its own random 256-bit data key. The value is sealed with it (AES-256-GCM,
or SM4) with associated data naming its row, so a ciphertext moved to another row does not
open. The data key is wrapped by the master key with AES-256-GCM, its associated data
naming the row and the master key's id. Every failure to open is one error,
``VaultCryptoError``; no message carries key or value bytes."""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

AES_GCM = "aes-256-gcm"
SM4_GCM = "sm4-gcm"
SM4_CBC_HMAC = "sm4-cbc-hmac"
CIPHERS = (AES_GCM, SM4_GCM, SM4_CBC_HMAC)

KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
MAC_BYTES = 32


class VaultCryptoError(Exception):
    """A sealed value or wrapped key did not open (wrong key, tampered, moved row)."""


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


def key_id(master: bytes) -> str:
    """A short public name for a master key: an HMAC of a constant, not the key's hash."""
    return hmac.new(master, b"guanwei-vault key id", hashlib.sha256).hexdigest()[:16]


def sm4_gcm_available() -> bool:
    try:
        Cipher(algorithms.SM4(bytes(16)), modes.GCM(bytes(NONCE_BYTES))).encryptor()
    except (UnsupportedAlgorithm, AttributeError, ValueError):
        return False
    return True


def cipher_for(name: str) -> str:
    """``GUANWEI_VAULT_CIPHER``: ``aes`` or ``sm4`` (GCM where the OpenSSL has it)."""
    name = (name or "aes").strip().lower()
    if name in ("aes", AES_GCM):
        return AES_GCM
    if name == "sm4":
        return SM4_GCM if sm4_gcm_available() else SM4_CBC_HMAC
    if name in (SM4_GCM, SM4_CBC_HMAC):
        return name
    raise ValueError(f"GUANWEI_VAULT_CIPHER={name!r}: expected aes or sm4")


# ------------------------------------------------------------------ the value, under its data key


def seal(data_key: bytes, plaintext: bytes, aad: bytes, cipher: str = AES_GCM) -> bytes:
    _check_key(data_key)
    if cipher == AES_GCM:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + AESGCM(data_key).encrypt(nonce, plaintext, aad)
    if cipher == SM4_GCM:
        nonce = os.urandom(NONCE_BYTES)
        enc = Cipher(algorithms.SM4(data_key[:16]), modes.GCM(nonce)).encryptor()
        enc.authenticate_additional_data(aad)
        body = enc.update(plaintext) + enc.finalize()
        return nonce + body + enc.tag
    if cipher == SM4_CBC_HMAC:
        iv = os.urandom(16)
        padder = padding.PKCS7(128).padder()
        padded = padder.update(plaintext) + padder.finalize()
        cbc = Cipher(algorithms.SM4(data_key[:16]), modes.CBC(iv)).encryptor()
        body = iv + cbc.update(padded) + cbc.finalize()
        return body + _mac(data_key[16:], aad, body)
    raise VaultCryptoError(f"unknown cipher {cipher!r}")


def open_sealed(data_key: bytes, blob: bytes, aad: bytes, cipher: str = AES_GCM) -> bytes:
    _check_key(data_key)
    blob = bytes(blob)
    try:
        if cipher == AES_GCM:
            return AESGCM(data_key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
        if cipher == SM4_GCM:
            if len(blob) < NONCE_BYTES + TAG_BYTES:
                raise VaultCryptoError("sealed value too short")
            nonce, body, tag = blob[:NONCE_BYTES], blob[NONCE_BYTES:-TAG_BYTES], blob[-TAG_BYTES:]
            dec = Cipher(algorithms.SM4(data_key[:16]), modes.GCM(nonce, tag)).decryptor()
            dec.authenticate_additional_data(aad)
            return dec.update(body) + dec.finalize()
        if cipher == SM4_CBC_HMAC:
            body, mac = blob[:-MAC_BYTES], blob[-MAC_BYTES:]
            if len(body) < 32 or not hmac.compare_digest(mac, _mac(data_key[16:], aad, body)):
                raise VaultCryptoError("sealed value failed its check")
            cbc = Cipher(algorithms.SM4(data_key[:16]), modes.CBC(body[:16])).decryptor()
            padded = cbc.update(body[16:]) + cbc.finalize()
            unpadder = padding.PKCS7(128).unpadder()
            return unpadder.update(padded) + unpadder.finalize()
    except (InvalidTag, ValueError) as e:
        raise VaultCryptoError("sealed value failed its check") from e
    raise VaultCryptoError(f"unknown cipher {cipher!r}")


def _mac(mac_key: bytes, aad: bytes, body: bytes) -> bytes:
    h = hmac.new(mac_key, len(aad).to_bytes(8, "big") + aad, hashlib.sha256)
    h.update(body)
    return h.digest()


# ------------------------------------------------------------------ the data key, under the master


def wrap(master: bytes, data_key: bytes, aad: bytes) -> bytes:
    _check_key(master)
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(master).encrypt(nonce, data_key, aad)


def unwrap(master: bytes, blob: bytes, aad: bytes) -> bytes:
    _check_key(master)
    blob = bytes(blob)
    try:
        key = AESGCM(master).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
    except (InvalidTag, ValueError) as e:
        raise VaultCryptoError("data key did not unwrap under this master key") from e
    if len(key) != KEY_BYTES:
        raise VaultCryptoError("data key has the wrong length")
    return key


def _check_key(key: bytes) -> None:
    if len(key) != KEY_BYTES:
        raise VaultCryptoError(f"a key must be {KEY_BYTES} bytes")
