"""Saving and loading a trained model as one .npz file.

The file holds plain arrays only (no pickles), so ``np.load`` can read it
anywhere. Besides the parameters it records everything needed to evaluate the
model the way it was trained::

    format_version          2
    W1, b1, ..., WL, bL     the parameters, (n_1, n_0), (n_1, 1), ..., (n_L, n_{L-1}), (n_L, 1)
    network                 the NetworkSpec, as the JSON text of its [network] table; the parameter
                            shapes are checked against its layers
    mean, std               (n_in, 1) input standardization, present only if it was used
    data_source, dev_fraction, seed, epochs, batch_size, lr, init
                            how the data was split and the network trained
    loss, train_accuracy, dev_accuracy
                            the training History, one value per epoch

Files of format version 1, written before the family, hold the classic network with
n_in, hidden, n_out instead of ``network``; they load as the classic spec of those widths.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from mnist_ref.network import PARAM_NAMES, Params
from mnist_ref.spec import CLASSIC, NetworkSpec, spec_from_table
from mnist_ref.training import History, TrainConfig
from mnist_ref.validation import check_layer_params

FORMAT_VERSION = 2
SIZE_KEYS = ("n_in", "hidden", "n_out")
CONFIG_KEYS = ("seed", "epochs", "batch_size", "lr", "init")
HISTORY_KEYS = ("loss", "train_accuracy", "dev_accuracy")
DATA_KEYS = ("data_source", "dev_fraction")
COMMON_KEYS = ("format_version", *CONFIG_KEYS, *HISTORY_KEYS, *DATA_KEYS)


class ModelFileError(ValueError):
    """A model file is missing, unreadable or not a model this version of mnist-ref can use."""


@dataclass(frozen=True)
class TrainedModel:
    """A trained network plus how it was trained and on what.

    ``mean`` and ``std`` (n_in, 1) are the training set's pixel statistics when the
    inputs were standardized, else None; ``data_source`` names the data and
    ``dev_fraction`` with ``config.seed`` reproduces the train/dev split. ``spec`` is the
    network; left out, it is the classic network of the parameters' widths.
    """

    params: Params
    config: TrainConfig
    data_source: str
    dev_fraction: float
    mean: np.ndarray | None = None
    std: np.ndarray | None = None
    history: History = field(default_factory=History)
    spec: NetworkSpec | None = None

    def __post_init__(self) -> None:
        if self.spec is None:
            object.__setattr__(self, "spec", classic_spec(self.params))


def classic_spec(params: Params) -> NetworkSpec:
    """The classic spec with the widths of W1 (hidden, n_in) and W2 (n_out, hidden)."""
    hidden, n_in = params["W1"].shape
    return replace(CLASSIC, layers=(n_in, hidden, params["W2"].shape[0]))


def save_model(model: TrainedModel, path: str | os.PathLike[str]) -> Path:
    """Write ``model`` to ``path`` atomically and return the path.

    The file is written to a temporary name in the same directory and then moved
    into place, so an interrupted save never leaves a half-written model behind.
    It gets the permissions any new file gets (0666 less the umask), not the
    temporary file's 0600. Missing parent directories are created.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~current_umask())
        with os.fdopen(fd, "wb") as file:
            np.savez(file, **model_arrays(model))
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return path


def current_umask() -> int:
    """The process's umask, read from /proc where it can be (setting it to read it is not thread-safe)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def model_arrays(model: TrainedModel) -> dict[str, np.ndarray]:
    """The named arrays that make up the model file (see the module docstring)."""
    check_layer_params(model.params, model.spec.depth)
    check_widths(model.params, model.spec)
    config = model.config
    arrays = {
        "format_version": np.array(FORMAT_VERSION),
        **{name: model.params[name] for name in model.spec.param_names},
        "network": np.array(json.dumps(model.spec.to_table())),
        **{key: np.array(getattr(config, key)) for key in CONFIG_KEYS},
        **{key: np.array(getattr(model.history, key), dtype=np.float64) for key in HISTORY_KEYS},
        "data_source": np.array(model.data_source),
        "dev_fraction": np.array(model.dev_fraction),
    }
    if model.mean is not None:
        arrays["mean"], arrays["std"] = model.mean, model.std
    return arrays


def load_model(path: str | os.PathLike[str]) -> TrainedModel:
    """Read a model written by :func:`save_model`, checking it thoroughly.

    Raises ModelFileError, with a one-line message naming the file, when the file
    does not exist, is not a readable .npz, lacks an entry, was written by another
    format version, or has parameters that do not match its recorded sizes.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"model file {path} does not exist; make it with `mnist-ref train --out {path}`")
    arrays = read_npz(path)
    try:
        return model_from_arrays(arrays)
    except (ValueError, TypeError) as error:
        raise ModelFileError(f"model file {path} is not usable: {error}") from error


def read_npz(path: Path) -> dict[str, np.ndarray]:
    """Every array in the .npz at ``path``, read eagerly so that a truncated file fails here."""
    try:
        loaded = np.load(path, allow_pickle=False)
        if not isinstance(loaded, np.lib.npyio.NpzFile):
            raise ValueError("a single .npy array")
        with loaded:
            return {name: loaded[name] for name in loaded.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        raise ModelFileError(
            f"model file {path} is not a readable .npz file (corrupt or truncated?); "
            f"train a new one with `mnist-ref train --out {path}`"
        ) from error


def model_from_arrays(arrays: dict[str, np.ndarray]) -> TrainedModel:
    """Build and check a TrainedModel from the file's named arrays; ValueError says what is wrong."""
    if "format_version" not in arrays:
        raise ValueError("it has no format_version entry, so it was not written by mnist-ref")
    version = int(arrays["format_version"])
    if version not in (1, FORMAT_VERSION):
        raise ValueError(f"it has format version {version}, this mnist-ref reads versions 1 and 2")
    params, spec = classic_network(arrays) if version == 1 else network(arrays)
    mean, std = arrays.get("mean"), arrays.get("std")
    check_statistics(mean, std, params["W1"].shape[1])
    config = TrainConfig(
        hidden=params["W1"].shape[0],
        **{key: arrays[key].item() for key in CONFIG_KEYS},
    )
    history = History(*(arrays[key].tolist() for key in HISTORY_KEYS))
    return TrainedModel(
        params, config, str(arrays["data_source"]), float(arrays["dev_fraction"]), mean, std, history, spec
    )


def network(arrays: dict[str, np.ndarray]) -> tuple[Params, NetworkSpec]:
    """The parameters and spec of a file of the current format, checked against each other."""
    require(arrays, (*COMMON_KEYS, "network"))
    spec = spec_from_table(json.loads(str(arrays["network"])), "its network entry")
    require(arrays, spec.param_names)
    params = {name: arrays[name] for name in spec.param_names}
    check_layer_params(params, spec.depth)
    check_widths(params, spec)
    return params, spec


def classic_network(arrays: dict[str, np.ndarray]) -> tuple[Params, NetworkSpec]:
    """The parameters of a version 1 file, checked against its n_in, hidden, n_out; the classic spec."""
    require(arrays, (*COMMON_KEYS, *PARAM_NAMES, *SIZE_KEYS))
    params = {name: arrays[name] for name in PARAM_NAMES}
    check_layer_params(params, 2)
    check_sizes(params, {key: int(arrays[key]) for key in SIZE_KEYS})
    return params, classic_spec(params)


def require(arrays: dict[str, np.ndarray], keys: tuple[str, ...]) -> None:
    """ValueError naming the ``keys`` that ``arrays`` lacks."""
    missing = [key for key in keys if key not in arrays]
    if missing:
        raise ValueError(f"entries missing: {', '.join(missing)}")


def check_sizes(params: Params, sizes: dict[str, int]) -> None:
    """A version 1 file's n_in, hidden, n_out must match W1 (hidden, n_in) and W2 (n_out, hidden)."""
    hidden, n_in = params["W1"].shape
    actual = {"n_in": n_in, "hidden": hidden, "n_out": params["W2"].shape[0]}
    for key, recorded in sizes.items():
        if recorded != actual[key]:
            raise ValueError(f"it records {key}={recorded} but its parameters have {key}={actual[key]}")


def check_widths(params: Params, spec: NetworkSpec) -> None:
    """The parameters' widths must be the spec's layers: W_l (n_l, n_{l-1})."""
    widths = (params["W1"].shape[1], *(params[f"W{layer}"].shape[0] for layer in range(1, spec.depth + 1)))
    if widths != spec.layers:
        recorded, actual = ("-".join(map(str, sizes)) for sizes in (spec.layers, widths))
        raise ValueError(f"it records layers {recorded} but its parameters have layers {actual}")


def check_statistics(mean: np.ndarray | None, std: np.ndarray | None, n_in: int) -> None:
    """Standardization statistics: both absent, or both (n_in, 1), finite, with std > 0."""
    if mean is None and std is None:
        return
    if mean is None or std is None:
        raise ValueError("it has only one of mean and std; standardization needs both")
    for name, values in (("mean", mean), ("std", std)):
        if values.shape != (n_in, 1) or not np.all(np.isfinite(values)):
            raise ValueError(f"{name} must be finite with shape ({n_in}, 1), got shape {values.shape}")
    if not np.all(std > 0):
        raise ValueError("std has zero or negative entries")
