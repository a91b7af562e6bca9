"""Seal and open one secret row's fields: what the actions, the queries and the data
migration share. Works on any object with the ``Secret`` fields (historical models too)."""

from __future__ import annotations

import uuid
from typing import Any

from guanwei.vault import crypto
from guanwei.vault.keys import MasterKey


def aad(ref: uuid.UUID | str, channel_id: int, name: str, cipher: str) -> bytes:
    """The associated data binding a value to its row: a value from another row, another
    account, another name or another cipher does not open."""
    return f"guanwei/vault/v1|value|{ref}|channel:{channel_id}|{name}|{cipher}".encode()


def wrap_aad(ref: uuid.UUID | str, channel_id: int, name: str, key_id: str) -> bytes:
    return f"guanwei/vault/v1|key|{ref}|channel:{channel_id}|{name}|{key_id}".encode()


def sealed_fields(
    master: MasterKey, *, ref: uuid.UUID, channel_id: int, name: str, value: str, cipher: str
) -> dict[str, Any]:
    """A fresh data key for this value: the row's ``cipher``, ``key_id``, ``wrapped_key`` and
    ``ciphertext``."""
    data_key = crypto.new_key()
    return {
        "cipher": cipher,
        "key_id": master.id,
        "wrapped_key": crypto.wrap(
            master.key, data_key, wrap_aad(ref, channel_id, name, master.id)
        ),
        "ciphertext": crypto.seal(
            data_key, value.encode("utf-8"), aad(ref, channel_id, name, cipher), cipher
        ),
    }


def data_key_of(row: Any, master: MasterKey) -> bytes:
    if row.key_id != master.id:
        raise crypto.VaultCryptoError(
            f"sealed under master key {row.key_id}, the current key is {master.id}"
        )
    return crypto.unwrap(
        master.key, row.wrapped_key, wrap_aad(row.ref, row.channel_id, row.name, row.key_id)
    )


def open_row(row: Any, master: MasterKey) -> str:
    data_key = data_key_of(row, master)
    plain = crypto.open_sealed(
        data_key, row.ciphertext, aad(row.ref, row.channel_id, row.name, row.cipher), row.cipher
    )
    return plain.decode("utf-8")


def rewrap(row: Any, old: MasterKey, new: MasterKey) -> tuple[str, bytes]:
    """The row's data key under ``new`` (the value is not re-encrypted)."""
    data_key = data_key_of(row, old)
    return new.id, crypto.wrap(
        new.key, data_key, wrap_aad(row.ref, row.channel_id, row.name, new.id)
    )
