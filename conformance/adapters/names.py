"""The names students give things: functions per component, parameters and attributes per role.

Every name is compared after ``normalize`` (lower case, underscores removed), so
``ReLU_deriv``, ``relu_deriv`` and ``reluDeriv`` are the same name.

A *role* is what a value is in canonical terms: ``"W1"``, ``"X"``, ``"Y"`` (integer
labels), ``"Y_onehot"``, ``"lr"``, ``"params"`` (the four parameters bundled in a dict
or a tuple)... A name can fit several roles (``output`` is the softmax output in
``loss(output, y)`` and the number of classes in ``init(input, hidden, output)``):
the operation being called decides which one it can supply.
"""

from __future__ import annotations

from collections.abc import Iterable

COMPONENTS = (
    "init", "relu", "relu_grad", "softmax", "one_hot", "forward", "loss",
    "dW1", "db1", "dW2", "db2", "update", "predict", "accuracy", "train",
)  # fmt: skip

GRADIENT_COMPONENTS = ("dW1", "db1", "dW2", "db2")

OPERATIONS = (
    "init", "relu", "relu_grad", "softmax", "one_hot", "forward", "loss", "backward", "update", "predict",
    "accuracy", "train",
)  # fmt: skip
"""The adapter operations: one per component, except ``backward``, which gives the four gradients."""

PARAM_NAMES = ("W1", "b1", "W2", "b2")
ACTIVATION_NAMES = ("Z1", "A1", "Z2", "A2")
GRAD_NAMES = ("dW1", "db1", "dW2", "db2")

CONTAINER_NAMES = {"params": PARAM_NAMES, "cache": ACTIVATION_NAMES, "grads": GRAD_NAMES}
"""The roles that bundle several arrays, and the arrays each bundles, in canonical order."""


MISSPELLINGS = (("propogat", "propagat"), ("derivitive", "derivative"), ("accuarcy", "accuracy"))
"""Misspellings seen in real code, undone before names are compared (forward_propogation)."""


HOMOGLYPHS = str.maketrans(
    # Cyrillic A, Ve, Ie, Ka, Em, En, O, Er, Es, Te, Ha, then a, ie, o, er, es, u, ha
    "\u0410\u0412\u0415\u041a\u041c\u041d\u041e\u0420\u0421\u0422\u0425\u0430\u0435\u043e\u0440\u0441\u0443\u0445",
    "ABEKMHOPCTXaeopcyx",
)
"""Cyrillic letters that look Latin, as a Cyrillic keyboard layout types them in a Latin name."""


def normalize(name: str) -> str:
    """``name`` in lower case, no underscores, Latin look-alike letters made Latin, usual misspellings
    undone: the form comparisons use."""
    key = name.translate(HOMOGLYPHS).lower().replace("_", "")
    for wrong, right in MISSPELLINGS:
        key = key.replace(wrong, right)
    return key


def operation_of(component: str) -> str:
    """The adapter operation that produces ``component``: the four gradients come from ``backward``."""
    return "backward" if component in GRADIENT_COMPONENTS else component


FUNCTION_NAMES: dict[str, tuple[str, ...]] = {
    "init": (
        "initparams", "initparameters", "initializeparameters", "initializeparams", "initialiseparameters",
        "initialiseparams", "initweights", "initializeweights", "initialiseweights", "initnetwork",
        "initializenetwork", "initialisenetwork", "initlayers", "initializelayers", "initialiselayers",
        "initialize", "initialise", "init",
    ),
    "relu": ("relu", "reluactivation", "reluforward"),
    "relu_grad": (
        "reluderiv", "derivrelu", "relubackward", "reluderivative", "derivativerelu", "relugrad",
        "relugradient", "gradrelu", "drelu", "reluprime", "reluderivate", "reluderived", "deriverelu",
        "derelu", "reluder", "derivativeofrelu", "reluderivated", "relud", "backwardrelu", "dreluz",
    ),
    "softmax": ("softmax", "stablesoftmax", "softmaxactivation"),
    "one_hot": (
        "onehot", "onehotencode", "onehotencoding", "toonehot", "onehotencoder", "onehotlabels", "onehoty",
        "onehotencodey", "makeonehot", "getonehot",
    ),
    "forward": (
        "forwardprop", "forwardpropagation", "forward", "forwardpass", "feedforward", "forwardpropagate",
        "fprop", "forwardprob",
    ),
    "loss": (
        "computeloss", "crossentropy", "crossentropyloss", "loss", "lossfunction", "computecost", "cost",
        "categoricalcrossentropy",
    ),
    "backward": (
        "backwardprop", "backprop", "backwardpropagation", "backpropagation", "backward", "backwardpass",
        "backpropagate", "back", "bprop", "backwardpropagate", "backprob", "backwardprob",
    ),
    "update": (
        "updateparams", "updateparameters", "update", "sgdstep", "sgdupdate", "updateweights", "gradientstep",
        "step",
    ),
    "predict": ("getpredictions", "predict", "makepredictions", "predictions", "getprediction"),
    "accuracy": (
        "getaccuracy", "accuracy", "computeaccuracy", "getacc", "calcaccuracy", "calculateaccuracy", "acc",
        "evaluate", "evaluateaccuracy",
    ),
    "train": (
        "gradientdescent", "graddescent", "train", "fit", "trainmodel", "trainnetwork", "gradientdesc",
        "gradientdecent", "trainepoch", "trainoneepoch", "runepoch", "trainstep",
    ),
}  # fmt: skip
"""Function (or method) names per adapter operation, most usual first."""


ROLE_NAMES: dict[str, tuple[str, ...]] = {
    "W1": ("w1", "weights1", "weight1", "theta1"),
    "b1": ("b1", "bias1", "biases1"),
    "W2": ("w2", "weights2", "weight2", "theta2", "wout", "woutput", "outputweights"),
    "b2": ("b2", "bias2", "biases2", "bout", "boutput", "outputbias"),
    "params": (
        "params", "parameters", "param", "weights", "theta", "model", "network", "net", "p", "paramdict",
        "layers",
    ),
    "Z1": ("z1",),
    "A1": ("a1",),
    "Z2": ("z2", "logits", "scores"),
    "A2": ("a2", "output", "out", "probs", "probabilities", "yhat", "ypred", "al", "activation"),
    "cache": ("cache", "caches", "forwardcache", "activations", "store"),
    "dW1": ("dw1",),
    "db1": ("db1",),
    "dW2": ("dw2",),
    "db2": ("db2",),
    "grads": ("grads", "gradients", "grad", "derivatives", "g"),
    "X": (
        "x", "data", "inputs", "input", "xtrain", "trainx", "features", "images", "xbatch", "a0", "xs",
        "samples", "xdev", "xval", "xtest", "xb", "batchx", "xmb", "xi", "xsample",
    ),
    "Y": (
        "y", "labels", "label", "ytrain", "trainy", "targets", "target", "ytrue", "ybatch", "t", "ys",
        "truth", "ydev", "yval", "ytest", "yb", "batchy", "ymb", "yi", "ysample",
    ),
    "lr": ("alpha", "lr", "learningrate", "eta", "stepsize", "learnrate", "rate"),
    "steps": (
        "iterations", "iters", "iter", "epochs", "numiterations", "niter", "niters", "niterations", "steps",
        "numepochs", "nepochs", "maxiter", "numiters", "nsteps", "numsteps", "epoch", "iteration", "itr",
        "numiter", "noofiterations", "iterationcount", "epochnumber", "numberofepochs", "nepoch",
    ),
    "n_in": (
        "inputsize", "nx", "ninputs", "inputdim", "nin", "inputlayersize", "inputnodes", "ninput",
        "numinputs", "inputneurons", "inputunits", "nfeatures", "numfeatures", "indim",
    ),
    "hidden": (
        "hiddensize", "nh", "nhidden", "hiddendim", "hiddenunits", "hiddenlayersize", "hiddennodes",
        "numhidden", "hiddenneurons", "hidden", "nhid", "hiddenlayer", "numhiddenunits",
        "hiddenunit", "hiddennodessize",
    ),
    "n_out": (
        "outputsize", "ny", "noutputs", "outputdim", "nout", "numclasses", "nclasses", "outputlayersize",
        "outputnodes", "classes", "k", "output", "numoutputs", "nlabels", "numlabels", "outputneurons",
        "outputunits", "outdim", "depth",
    ),
    "hidden_sizes": (
        "hiddenlayers", "hiddensizes", "hiddenlayersizes", "hiddendims", "hiddenlayerdims", "hiddensneurons",
    ),
    "hidden_activation": (
        "activationfunction", "hiddenactivation", "activationfn", "actfunction", "actfn", "activationfunc",
        "activation",
    ),
    "loss_function": ("errorfunction", "lossfunction", "lossfn", "costfunction", "errorfn", "criterion"),
    "layer_sizes": ("layerdims", "layersizes", "layers", "sizes", "dims", "architecture", "layerdimensions"),
    "m": ("m", "nsamples", "numsamples", "batchsize", "numexamples", "nexamples"),
    "seed": ("seed", "randomseed", "randomstate"),
    "l2": (
        "reg", "lambd", "lambda", "lamda", "reglambda", "regularization", "regstrength", "l2", "l2reg",
        "l2lambda", "weightdecay", "regularizationstrength",
    ),
    "lr_decay": ("learningratedecay", "lrdecay"),
    "Z": ("z",),
    "dA": ("da", "da1", "dout", "upstream", "upstreamgrad", "gradoutput", "delta"),
    "predictions": (
        "predictions", "preds", "ypred", "predicted", "yhat", "pred", "prediction", "predictedlabels",
        "ypredicted",
    ),
}  # fmt: skip
"""Parameter and attribute names per role. Y_onehot is matched by rule, see ``roles_for``."""

ONE_HOT_SHORT_NAMES = ("yoh", "yhot", "yencoded", "encodedy")


def roles_for(name: str) -> tuple[str, ...]:
    """Every role a parameter or attribute called ``name`` can have, in table order.

    A name containing "onehot" (``one_hot_Y``, ``Y_onehot``) is the one-hot labels.
    """
    key = normalize(name)
    if "onehot" in key or key in ONE_HOT_SHORT_NAMES:
        return ("Y_onehot",)
    return tuple(role for role, aliases in ROLE_NAMES.items() if key in aliases)


USUAL_NAMES = {
    "init": "init_params", "relu": "ReLU / relu", "relu_grad": "ReLU_deriv / relu_backward",
    "softmax": "softmax", "one_hot": "one_hot", "forward": "forward_prop / forward",
    "loss": "compute_loss / cross_entropy", "backward": "backward_prop / backprop",
    "update": "update_params / sgd_step", "predict": "get_predictions / predict",
    "accuracy": "get_accuracy / accuracy", "train": "gradient_descent / train",
}  # fmt: skip
"""Names to suggest in messages, per operation."""


def function_rank(operation: str, name: str) -> int | None:
    """Position of ``name`` in the operation's name table (0 = most usual), None if it is not there; a
    letter from another keyboard layout that looks like no Latin one (a Cyrillic Ve in ``ReLU_Der``) may
    also be a stray key."""
    names = FUNCTION_NAMES[operation]
    stray_keys_dropped = "".join(letter for letter in name if letter.isascii())
    for key in (normalize(name), normalize(stray_keys_dropped)):
        if key in names:
            return names.index(key)
    return None


def ranked_matches(names: Iterable[str], operation: str) -> list[str]:
    """The names that fit ``operation``, most usual first; dunder names (``__init__``) never fit."""
    ranks = {name: function_rank(operation, name) for name in names if not name.startswith("__")}
    return sorted((name for name, rank in ranks.items() if rank is not None), key=ranks.__getitem__)


def is_one_hot_function(name: str) -> bool:
    """True when a function called ``name`` turns labels into one-hot columns."""
    return function_rank("one_hot", name) is not None
