"""A small pure-numpy encoder for sentence-transformers models kept in a local folder.

Fusing lexical search with sentence embeddings helps paraphrase queries, but kb must stay
light and self-hosted: no torch, nothing downloaded. So this module runs the BERT forward pass
itself in numpy float32 (weights via ``safetensors``, tokens via ``tokenizers``), on a model
folder the operator put on disk (e.g. a copy of sentence-transformers/all-MiniLM-L6-v2).

Supported: ``config.json`` ``model_type: bert`` with absolute position embeddings, a
``model.safetensors`` file, a ``tokenizer.json``, and a Pooling module doing mean, cls or max
pooling. Anything else raises :class:`EncoderError` naming the folder and what is missing.

Output vectors are ALWAYS L2-normalised, whether or not ``modules.json`` lists a Normalize
module: search only compares vectors by cosine, which normalising does not change, and unit
vectors let callers use a plain dot product.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

_MB = 1 << 20
# Every small file that changes the vectors (max_tokens may come from either of the last two).
_DIGEST_FILES = (
    "config.json",
    "tokenizer.json",
    "1_Pooling/config.json",
    "modules.json",
    "sentence_bert_config.json",
    "tokenizer_config.json",
)
# Tokens per forward pass: measured on 2 cores, 256 ran ~7x faster than whole padded batches
# of 32 on a mix of short and 256-token texts, as activations stay in cache and padding is small.
_ROW_BUDGET = 256
_POOLINGS = ("mean", "cls", "max")
# How sentence-transformers < 5 names pooling modes in 1_Pooling/config.json: a boolean
# "pooling_mode_<suffix>" each (built, not spelled out: bandit reads "..._token" as a password).
_LEGACY_POOLING = {
    f"pooling_mode_{suffix}": name
    for suffix, name in (
        ("mean_tokens", "mean"),
        ("cls_token", "cls"),
        ("max_tokens", "max"),
        ("lasttoken", "lasttoken"),
        ("mean_sqrt_len_tokens", "mean_sqrt_len_tokens"),
        ("weightedmean_tokens", "weightedmean"),
    )
}
# Float32 rational approximation of erf on [-4, 4] (the one XLA/Eigen use for float32), max
# error ~1e-7: numpy has no erf, scipy is not a dependency, and BERT's GELU uses the exact form.
_ERF_ALPHA = np.array(
    [
        -2.72614225801306e-10,
        2.77068142495902e-08,
        -2.10102402082508e-06,
        -5.69250639462346e-05,
        -7.34990630326855e-04,
        -2.95459980854025e-03,
        -1.60960333262415e-02,
    ],
    dtype=np.float32,
)
_ERF_BETA = np.array(
    [
        -1.45660718464996e-05,
        -2.13374055278905e-04,
        -1.68282697438203e-03,
        -7.37332916720468e-03,
        -1.42647390514189e-02,
    ],
    dtype=np.float32,
)


Progress = Callable[[int, int], None]  # (texts embedded so far, all texts)


class EncoderError(RuntimeError):
    """A model folder cannot be used: a file is missing or the model is not supported."""


def erf(x: np.ndarray) -> np.ndarray:
    """Vectorised float32 erf (see ``_ERF_ALPHA``)."""
    x = np.clip(x, -4.0, 4.0).astype(np.float32, copy=False)
    x2 = x * x
    p, q = x2 * _ERF_ALPHA[0] + _ERF_ALPHA[1], x2 * _ERF_BETA[0] + _ERF_BETA[1]
    for poly, coefs in ((p, _ERF_ALPHA[2:]), (q, _ERF_BETA[2:])):
        for c in coefs:  # Horner's rule, in place: the arrays can be a few megabytes
            poly *= x2
            poly += c
    p *= x
    p /= q
    return p


def _gelu_erf(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + erf(x * np.float32(1 / math.sqrt(2))))


def _gelu_tanh(x: np.ndarray) -> np.ndarray:
    inner = np.float32(math.sqrt(2 / math.pi)) * (x + np.float32(0.044715) * x * x * x)
    return 0.5 * x * (1.0 + np.tanh(inner))


_ACTIVATIONS = {"gelu": _gelu_erf, "gelu_new": _gelu_tanh, "gelu_pytorch_tanh": _gelu_tanh}


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    # ufunc reductions rather than .mean(): this runs 13 times per query, overhead counts.
    inv = np.float32(1 / x.shape[-1])
    x = x - np.add.reduce(x, axis=-1, keepdims=True) * inv
    var = np.add.reduce(x * x, axis=-1, keepdims=True) * inv
    x *= 1 / np.sqrt(var + np.float32(eps))
    x *= w
    x += b
    return x


def _read_json(folder: Path, rel: str, default: Any = None) -> Any:
    path = folder / rel
    if not path.is_file():
        if default is not None:
            return default
        raise EncoderError(f"{folder}: missing {rel} (is this a sentence-transformers model?)")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EncoderError(f"{path}: cannot read it as JSON ({exc})") from exc


def model_digest(folder: Path) -> str:
    """A short hex digest of the model, cheap enough to compute at every start.

    The small files are hashed whole; the weights by size plus first and last megabyte, which
    changes whenever the weights do in practice, without reading hundreds of megabytes."""
    h = hashlib.sha256()
    for rel in _DIGEST_FILES:
        path = folder / rel
        h.update(rel.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"-") + b"\0")
    weights = folder / "model.safetensors"
    size = weights.stat().st_size
    h.update(str(size).encode())
    with open(weights, "rb") as f:
        h.update(f.read(_MB))
        f.seek(max(0, size - _MB))
        h.update(f.read(_MB))
    return h.hexdigest()[:16]


def _pooling_mode(folder: Path) -> str:
    modules = _read_json(folder, "modules.json")
    kinds = {m.get("type", "").rsplit(".", 1)[-1]: m.get("path", "") for m in modules}
    if kinds.get("Transformer", "") != "":
        raise EncoderError(f"{folder}: the Transformer module must be the folder itself")
    unsupported = set(kinds) - {"Transformer", "Pooling", "Normalize"}
    if unsupported or "Pooling" not in kinds:
        raise EncoderError(
            f"{folder / 'modules.json'}: supported modules are Transformer, "
            f"Pooling (required), Normalize; found {', '.join(sorted(kinds))}"
        )
    rel = f"{kinds['Pooling'] or '1_Pooling'}/config.json"
    cfg = _read_json(folder, rel)
    if "pooling_mode" in cfg:  # how recent sentence-transformers save it: a name or a list
        mode = cfg["pooling_mode"]
        modes = [mode] if isinstance(mode, str) else list(mode)
    else:
        modes = [name for key, name in _LEGACY_POOLING.items() if cfg.get(key)]
    if len(modes) != 1 or modes[0] not in _POOLINGS:
        raise EncoderError(
            f"{folder / rel}: unsupported pooling {modes or 'none'} "
            f"(supported: one of mean, cls, max)"
        )
    return modes[0]


def _prompts(folder: Path) -> dict[str, str]:
    """The texts sentence-transformers puts before a query or a passage ("query: " and
    "passage: " for e5 models); none for most models."""
    try:
        data = _read_json(folder, "config_sentence_transformers.json", default={})
    except EncoderError:  # only the prompts live there: an unreadable file means none
        return {}
    prompts = data.get("prompts") if isinstance(data, dict) else None
    return {k: v for k, v in (prompts or {}).items() if isinstance(v, str)}


class Encoder:
    """Encodes texts into sentence vectors with a local BERT sentence-transformers model."""

    def __init__(
        self,
        folder: Path,
        config: dict,
        weights: dict[str, np.ndarray],
        tokenizer: Any,
        pooling: str,
        max_tokens: int,
        lowercase: bool,
    ) -> None:
        self.folder = folder
        self.name = folder.name
        self.digest = model_digest(folder)
        self.prompts = _prompts(folder)
        self.dim = int(config["hidden_size"])
        self.vocab_size = int(config.get("vocab_size", 0))  # ~30k: one language; 100k+: many
        self.max_tokens = max_tokens
        self.pooling = pooling
        self._tokenizer = tokenizer
        self._lowercase = lowercase
        self._heads = int(config["num_attention_heads"])
        self._eps = float(config.get("layer_norm_eps", 1e-12))
        act = config.get("hidden_act", "gelu")
        if act not in _ACTIVATIONS:
            raise EncoderError(f"{folder / 'config.json'}: unsupported hidden_act {act!r}")
        self._act = _ACTIVATIONS[act]
        self._load_weights(weights, int(config["num_hidden_layers"]))

    @classmethod
    def load(cls, folder: str | Path) -> Encoder:
        """Load a sentence-transformers model folder; raise EncoderError if it is unusable."""
        folder = Path(folder).expanduser().resolve()
        if not folder.is_dir():
            raise EncoderError(f"{folder}: no such model folder")
        config = _read_json(folder, "config.json")
        kind = (config.get("model_type"), config.get("position_embedding_type", "absolute"))
        if kind != ("bert", "absolute"):
            raise EncoderError(
                f"{folder / 'config.json'}: model_type {kind[0]!r} with "
                f"{kind[1]!r} positions is not supported (only 'bert', absolute)"
            )
        pooling = _pooling_mode(folder)
        sbert = _read_json(folder, "sentence_bert_config.json", default={})
        # sentence-transformers < 5 saves max_seq_length there; later ones in tokenizer_config.
        limit = sbert.get("max_seq_length") or _read_json(
            folder, "tokenizer_config.json", default={}
        ).get("model_max_length")
        limit = int(limit) if isinstance(limit, (int, float)) and limit < 100_000 else 256
        max_tokens = min(limit, int(config.get("max_position_embeddings", 512)))
        for rel in ("tokenizer.json", "model.safetensors"):
            if not (folder / rel).is_file():
                raise EncoderError(f"{folder}: missing {rel}")
        # optional (the 'meaning' extra): needed only when a project sets search_model
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        try:
            tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
            weights = load_file(str(folder / "model.safetensors"))
        except Exception as exc:  # both libraries raise their own exception types
            raise EncoderError(f"{folder}: cannot read the tokenizer or weights ({exc})") from exc
        # The tokenizer.json may carry its own fixed padding/truncation (e.g. 128): ours rule.
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=max_tokens)
        return cls(
            folder,
            config,
            weights,
            tokenizer,
            pooling,
            max_tokens,
            bool(sbert.get("do_lower_case")),
        )

    def _load_weights(self, raw: dict[str, np.ndarray], n_layers: int) -> None:
        # Checkpoints saved from BertModel have no prefix; from BertFor* they start "bert.".
        w = {k.removeprefix("bert."): v for k, v in raw.items()}

        def get(key: str) -> np.ndarray:
            # Old TensorFlow-converted checkpoints name LayerNorm parameters gamma and beta.
            old = key.replace("LayerNorm.weight", "LayerNorm.gamma")
            value = w.get(key, w.get(old.replace("LayerNorm.bias", "LayerNorm.beta")))
            if value is None:
                raise EncoderError(f"{self.folder / 'model.safetensors'}: missing tensor {key}")
            return np.ascontiguousarray(value, dtype=np.float32)

        def linear(key: str) -> tuple[np.ndarray, np.ndarray]:
            # torch Linear stores (out, in); we multiply activations (…, in) @ (in, out).
            return np.ascontiguousarray(get(f"{key}.weight").T), get(f"{key}.bias")

        def norm(key: str) -> tuple[np.ndarray, np.ndarray]:
            return get(f"{key}.LayerNorm.weight"), get(f"{key}.LayerNorm.bias")

        self._word = get("embeddings.word_embeddings.weight")
        self._pos = get("embeddings.position_embeddings.weight")
        self._type0 = get("embeddings.token_type_embeddings.weight")[0]
        self._emb_ln = norm("embeddings")
        # Per layer, (weight, bias) pairs: qkv (Q, K, V fused), out, ln1, ff, ff_out, ln2.
        self._layers: list[tuple[tuple[np.ndarray, np.ndarray], ...]] = []
        for i in range(n_layers):
            p = f"encoder.layer.{i}"
            q, k, v = (linear(f"{p}.attention.self.{n}") for n in ("query", "key", "value"))
            self._layers.append(
                (
                    (
                        np.ascontiguousarray(np.concatenate([q[0], k[0], v[0]], axis=1)),
                        np.concatenate([q[1], k[1], v[1]]),
                    ),
                    linear(f"{p}.attention.output.dense"),
                    norm(f"{p}.attention.output"),
                    linear(f"{p}.intermediate.dense"),
                    linear(f"{p}.output.dense"),
                    norm(f"{p}.output"),
                )
            )
        if self._word.shape[1] != self.dim:
            raise EncoderError(f"{self.folder}: weights do not match hidden_size {self.dim}")

    def encode(
        self, texts: list[str], batch_size: int = 32, progress: Progress | None = None
    ) -> np.ndarray:
        """Return a float32 (len(texts), dim) array of unit vectors, in the order given.

        Texts are tokenised together, truncated to ``max_tokens``, then run in batches of
        similar length (longest first) so padding costs little: at most ``batch_size`` texts
        and about ``_ROW_BUDGET`` tokens per batch. The attention mask keeps a text's vector
        independent of what it was batched with. ``progress(done, total)`` is called after
        each batch."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        if self._lowercase:
            texts = [t.lower() for t in texts]
        ids = [e.ids for e in self._tokenizer.encode_batch(list(texts))]
        order = sorted(range(len(ids)), key=lambda i: -len(ids[i]))
        start = 0
        while start < len(order):
            # A multiple of 8 rows suits OpenBLAS's kernels: 16 rows run faster than 14.
            width = -(-len(ids[order[start]]) // 8) * 8
            # Few enough tokens per batch that the activations stay in the CPU cache.
            count = max(1, min(batch_size, _ROW_BUDGET // width))
            chunk = order[start : start + count]
            start += count
            batch = np.zeros((len(chunk), width), dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.float32)
            for row, i in enumerate(chunk):
                batch[row, : len(ids[i])] = ids[i]
                mask[row, : len(ids[i])] = 1.0
            out[chunk] = self._forward(batch, mask)
            if progress is not None:
                progress(min(start, len(order)), len(order))
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, np.float32(1e-12))

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """BERT forward pass plus pooling for one padded batch: (B, L) ids -> (B, dim)."""
        b, length = ids.shape
        h, heads = self.dim, self._heads
        d = h // heads
        x = self._word[ids] + self._pos[:length] + self._type0
        x = _layer_norm(x, *self._emb_ln, self._eps).reshape(b * length, h)
        # Padding keys get a huge negative score, so softmax gives them (exactly) zero weight.
        bias = ((1.0 - mask) * np.float32(-1e30))[:, None, None, :]
        scale = np.float32(1 / math.sqrt(d))
        for qkv_wb, out, ln1, ff_in, ff_out, ln2 in self._layers:
            qkv = (x @ qkv_wb[0] + qkv_wb[1]).reshape(b, length, 3, heads, d)
            # (B, heads, L, d) @ (B, heads, d, L): every head of every text in one call.
            q, k, v = (qkv[:, :, i].transpose(0, 2, 1, 3) for i in range(3))
            scores = np.matmul(q, k.transpose(0, 1, 3, 2)) * scale + bias
            scores -= scores.max(-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(-1, keepdims=True)
            ctx = np.matmul(scores, v).transpose(0, 2, 1, 3).reshape(b * length, h)
            x = _layer_norm(ctx @ out[0] + out[1] + x, *ln1, self._eps)
            ff = self._act(x @ ff_in[0] + ff_in[1])
            x = _layer_norm(ff @ ff_out[0] + ff_out[1] + x, *ln2, self._eps)
        x = x.reshape(b, length, h)
        if self.pooling == "cls":
            return x[:, 0]
        if self.pooling == "max":
            return np.where(mask[:, :, None] > 0, x, np.float32(-1e9)).max(axis=1)
        summed = (x * mask[:, :, None]).sum(axis=1)
        return summed / np.maximum(mask.sum(axis=1, keepdims=True), np.float32(1e-9))
