"""The envelope primitives (decision 0031), without the database: W-16 passwords and
tokens are stored only encrypted, and a sealed value opens only with its own key, its own
row's associated data and its own cipher."""

from __future__ import annotations

import pytest

from guanwei.vault import crypto

CIPHERS = [crypto.AES_GCM, crypto.SM4_GCM, crypto.SM4_CBC_HMAC]
VALUE = "AppSecret-密码-0123456789abcdef".encode()
AAD = b"guanwei/vault/v1|value|ref-1|channel:1|secret"


@pytest.mark.parametrize("cipher", CIPHERS)
def test_it_round_trips_w16(cipher: str) -> None:
    """W-16: sealed with a 256-bit data key, opened again to the same bytes."""
    key = crypto.new_key()
    blob = crypto.seal(key, VALUE, AAD, cipher)
    assert VALUE not in blob
    assert crypto.open_sealed(key, blob, AAD, cipher) == VALUE
    assert crypto.seal(key, VALUE, AAD, cipher) != blob  # a fresh nonce each time


@pytest.mark.parametrize("cipher", CIPHERS)
def test_it_refuses_a_tampered_value_w16(cipher: str) -> None:
    key = crypto.new_key()
    blob = bytearray(crypto.seal(key, VALUE, AAD, cipher))
    blob[len(blob) // 2] ^= 0x01
    with pytest.raises(crypto.VaultCryptoError):
        crypto.open_sealed(key, bytes(blob), AAD, cipher)


@pytest.mark.parametrize("cipher", CIPHERS)
def test_it_refuses_a_value_moved_to_another_row_w16(cipher: str) -> None:
    key = crypto.new_key()
    blob = crypto.seal(key, VALUE, AAD, cipher)
    with pytest.raises(crypto.VaultCryptoError):
        crypto.open_sealed(key, blob, AAD.replace(b"channel:1", b"channel:2"), cipher)


@pytest.mark.parametrize("cipher", CIPHERS)
def test_it_refuses_the_wrong_data_key(cipher: str) -> None:
    blob = crypto.seal(crypto.new_key(), VALUE, AAD, cipher)
    with pytest.raises(crypto.VaultCryptoError):
        crypto.open_sealed(crypto.new_key(), blob, AAD, cipher)


def test_a_data_key_unwraps_only_with_its_master_key_and_row() -> None:
    master, data_key = crypto.new_key(), crypto.new_key()
    wrapped = crypto.wrap(master, data_key, b"row-1")
    assert data_key not in wrapped
    assert crypto.unwrap(master, wrapped, b"row-1") == data_key
    with pytest.raises(crypto.VaultCryptoError):
        crypto.unwrap(crypto.new_key(), wrapped, b"row-1")
    with pytest.raises(crypto.VaultCryptoError):
        crypto.unwrap(master, wrapped, b"row-2")


def test_the_cipher_setting_names_aes_or_sm4() -> None:
    """GUANWEI_VAULT_CIPHER=sm4 is SM4-GCM where the installed OpenSSL has it, else SM4-CBC
    with an HMAC; anything else is refused."""
    assert crypto.cipher_for("aes") == crypto.AES_GCM
    assert crypto.cipher_for("") == crypto.AES_GCM
    assert crypto.cipher_for("sm4") in (crypto.SM4_GCM, crypto.SM4_CBC_HMAC)
    assert crypto.cipher_for("sm4") == (
        crypto.SM4_GCM if crypto.sm4_gcm_available() else crypto.SM4_CBC_HMAC
    )
    with pytest.raises(ValueError):
        crypto.cipher_for("des")


def test_the_key_id_names_the_key_without_revealing_it() -> None:
    key = crypto.new_key()
    assert crypto.key_id(key) == crypto.key_id(key)
    assert crypto.key_id(key) != crypto.key_id(crypto.new_key())
    assert key.hex()[:16] != crypto.key_id(key)
