"""MNIST for mnist-ref: loaders for every common form of the data, splits, scaling, download.

``load_mnist`` reads the Kaggle CSV files, header-less label-first CSV, the original
IDX files (gzipped or not) or the Keras mnist.npz, told apart by content, or with no
path the 5,000 digits shipped in this package. ``load_splits`` turns that into train, dev
and test sets in column layout for the network. ``download_mnist`` fetches the full
dataset. Every problem with a file is a ``DataError`` with a one-line message.

Importing this package loads NumPy and tqdm only.
"""

from mnist_ref.data.arrays import NUM_CLASSES, PIXELS, LabelledImages
from mnist_ref.data.csv_format import CsvLayout, read_csv
from mnist_ref.data.download import (
    CACHE_ENV_VAR,
    DEFAULT_MIRRORS,
    DEFAULT_SHA256,
    cache_directory,
    download_mnist,
    file_sha256,
)
from mnist_ref.data.embedded import EMBEDDED_SOURCE, load_embedded
from mnist_ref.data.errors import DataError
from mnist_ref.data.idx_format import read_idx_pair
from mnist_ref.data.load import MnistData, load_mnist
from mnist_ref.data.npz_format import read_keras_npz
from mnist_ref.data.prepare import STD_FLOOR, Splits, load_splits, make_splits, pixel_statistics, to_columns
from mnist_ref.data.split import stratified_split

__all__ = [
    "CACHE_ENV_VAR",
    "DEFAULT_MIRRORS",
    "DEFAULT_SHA256",
    "EMBEDDED_SOURCE",
    "NUM_CLASSES",
    "PIXELS",
    "STD_FLOOR",
    "CsvLayout",
    "DataError",
    "LabelledImages",
    "MnistData",
    "Splits",
    "cache_directory",
    "download_mnist",
    "file_sha256",
    "load_embedded",
    "load_mnist",
    "load_splits",
    "make_splits",
    "pixel_statistics",
    "read_csv",
    "read_idx_pair",
    "read_keras_npz",
    "stratified_split",
    "to_columns",
]
