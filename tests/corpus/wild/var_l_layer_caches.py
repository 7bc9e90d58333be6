"""Rewrite of github.com/amitshakarchy/DL_HW1, forward.py and backward.py (with model_trainer.py and main.py, commit a79bd59).

Style: variant
Layout: column
Spec: --layers 784,20,7,5,10
Network: variant: L layers built from per-layer caches, [LINEAR->RELU]*(L-1)->LINEAR->SOFTMAX, run as 784-20-7-5-10, mini-batches
API: initialize_parameters(layer_dims) -> {"W1".., "b1"..}; linear_forward(A, W, b) -> Z, linear_cache;
    softmax(Z) / safe_softmax(Z) / relu(Z) -> A, {"Z": Z}; linear_activation_forward(A_prev, W, B, activation);
    L_model_forward(X, parameters, use_batchnorm) -> AL, caches; compute_cost(AL, Y) (Y one-hot columns);
    apply_batchnorm(A); Linear_backward(dZ, cache); linear_activation_backward(dA, cache, activation);
    relu_backward(dA, activation_cache) -> dZ; softmax_backward(dA, activation_cache) (reads AL and TL from the cache);
    L_model_backward(AL, Y, caches) -> {"dA<l>", "dW<l>", "db<l>"}; update_parameters(parameters, grads, learning_rate)
    (in place, returns the dict); generate_validation_data(data_x, data_y, validation_factor=0.2);
    L_layer_model(X, Y, layers_dims, learning_rate, num_iterations, batch_size) -> parameters, costs;
    predict(X, Y, parameters) -> accuracy.
Known bugs: none in the components. Top level: the final predict call gets the test images as rows (m, 784) while
    predict expects columns, so the last line of the script fails. Notes: checked as the network it is (its Spec
    line); relu, compute_cost and update_parameters do what the classic ones do; softmax has no max shift and
    overflows on large logits (safe_softmax, which shifts, is the one the forward pass uses); relu_backward reads
    Z from a dict cache, which the elementwise check does not give it (unchecked); L_model_forward is given
    use_batchnorm=BATCHNORM_USAGE, as its own calls do.

Expected:
    relu: pass
    relu_grad: unchecked
    softmax: fail nonfinite
    forward: pass
    loss: pass
    dW1: pass
    db1: pass
    dW2: pass
    db2: pass
    dW3: pass
    db3: pass
    dW4: pass
    db4: pass
    update: pass
"""

import numpy as np
from tensorflow.keras.datasets.mnist import load_data

BATCHNORM_USAGE = False


# ---- forward.py ----

def initialize_parameters(layer_dims):
    """He-scaled normal weights W<l> (n_l, n_{l-1}) and zero biases b<l> (n_l, 1) for every layer."""
    params = {f'W{i + 1}': np.random.randn(layer_dims[i + 1], layer_dims[i]) * np.sqrt(2 / layer_dims[i])
              for i in range(len(layer_dims) - 1)}
    params.update({f'b{i + 1}': np.zeros((layer_dims[i + 1], 1)) for i in range(len(layer_dims) - 1)})
    return params


def linear_forward(A, W, b):
    """Z = W A + b, keeping the layer's inputs for the backward pass."""
    Z = np.matmul(W, A) + b
    return Z, {'A_prev': A, 'W': W, 'b': b}


def softmax(Z):
    """Column-wise softmax (no shift) and the cache holding Z."""
    exp = np.exp(Z)
    return exp / np.sum(exp, axis=0)[None, :], {'Z': Z}


def safe_softmax(Z):
    """softmax of Z minus each column's max."""
    return softmax(Z - Z.max(axis=0))[0], {'Z': Z}


def relu(Z):
    """Elementwise max(0, z), applied through np.vectorize, and the cache holding Z."""
    clip = np.vectorize(lambda zi: np.maximum(0., zi))
    return clip(Z), {'Z': Z}


def linear_activation_forward(A_prev, W, B, activation):
    Z, linear_cache = linear_forward(A_prev, W, B)
    A_cur, activation_cache = relu(Z) if activation == 'relu' else safe_softmax(Z)
    return A_cur, {**linear_cache, **activation_cache}


def L_model_forward(X, parameters, use_batchnorm):
    """ReLU for every layer but the last, softmax on the last; one merged cache per layer."""
    num_layers = len(parameters) // 2
    activations = ['relu'] * (num_layers - 1) + ['softmax']
    A_prev, A_i, caches = X, None, []
    for layer_i in range(1, num_layers + 1):
        A_i, cache = linear_activation_forward(A_prev, parameters[f'W{layer_i}'], parameters[f'b{layer_i}'],
                                               activations[layer_i - 1])
        caches.append(cache)
        if use_batchnorm and activations[layer_i - 1] != 'softmax':
            A_i = apply_batchnorm(A_i)
        A_prev = A_i
    return A_i, caches


def compute_cost(AL, Y):
    """Mean categorical cross-entropy of the probability columns AL against one-hot columns Y."""
    m = len(AL[0])
    return (-1 / m) * (Y * np.log(AL)).sum()


def apply_batchnorm(A):
    epsilon = 0.000000001
    mu = np.expand_dims(np.average(A, axis=1), axis=1)
    variance = np.expand_dims(np.var(A, axis=1) + epsilon, axis=1)
    return (A - mu) / np.sqrt(variance)


# ---- backward.py ----

def Linear_backward(dZ, cache):
    """dA_prev, dW, db of one linear layer, averaged over the batch columns."""
    m = len(dZ[0])
    dA_prev = np.matmul(cache['W'].transpose(), dZ)
    dW = (1 / m) * np.matmul(dZ, cache['A_prev'].transpose())
    db = ((1 / m) * np.sum(dZ, axis=1)).reshape(-1, 1)
    return dA_prev, dW, db


def linear_activation_backward(dA, cache, activation):
    dZ = softmax_backward(dA, cache) if activation == 'softmax' else relu_backward(dA, cache)
    return Linear_backward(dZ, cache)


def relu_backward(dA, activation_cache):
    """dA times the ReLU slope (0 where Z <= 0, 1 elsewhere)."""
    Z = activation_cache['Z']
    slope = np.vectorize(lambda zi: 0 if zi <= 0 else 1)(Z)
    return dA * slope


def softmax_backward(dA, activation_cache):
    """Softmax followed by cross-entropy: AL - labels; dA is not used (AL and TL ride in the cache)."""
    return activation_cache['AL'] - activation_cache['TL']


def L_model_backward(AL, Y, caches):
    num_layers = len(caches)
    grads = {}
    caches[num_layers - 1]['TL'] = Y
    caches[num_layers - 1]['AL'] = AL
    dA_prev = None
    for layer_i in range(num_layers, 0, -1):
        activation = 'softmax' if layer_i == num_layers else 'relu'
        # the output layer's dA is computed but softmax_backward ignores it
        dA = dA_prev if activation == 'relu' else -(Y / AL) + (1 - Y) / (1 - AL)
        dA_prev, dW, db = linear_activation_backward(dA, caches[layer_i - 1], activation)
        grads.update({f'dA{layer_i}': dA, f'dW{layer_i}': dW, f'db{layer_i}': db})
    return grads


def update_parameters(parameters, grads, learning_rate):
    """Plain gradient descent on every W<l>, b<l>, in place; returns the same dict."""
    for i in range(1, len(parameters) // 2 + 1):
        parameters[f'W{i}'] -= learning_rate * grads[f'dW{i}']
        parameters[f'b{i}'] -= learning_rate * grads[f'db{i}']
    return parameters


# ---- model_trainer.py ----

def generate_validation_data(data_x, data_y, validation_factor=0.2):
    """Shuffle the samples together and hold a fraction back; everything stays in columns."""
    y_size = data_y.shape[0]
    combined = np.concatenate([data_x.T, data_y.T], axis=1)
    np.random.shuffle(combined)
    cut = int(validation_factor * combined.shape[0])
    validation, train = combined[:cut, :], combined[cut:, :]
    return train[:, :-y_size].T, train[:, -y_size:].T, validation[:, :-y_size].T, validation[:, -y_size:].T


def L_layer_model(X, Y, layers_dims, learning_rate, num_iterations, batch_size):
    """Mini-batch training until the validation cost changes by less than stop_rate between checks."""
    stop_rate = 0.001
    train_x, train_y, validation_x, validation_y = generate_validation_data(X, Y)
    combined_data = np.concatenate([train_x, train_y], axis=0)
    m = train_x.shape[1]
    num_batches = m // batch_size + (1 if m % batch_size else 0)
    params = initialize_parameters(layers_dims)
    costs = []
    steps_cnt = 0
    while len(costs) < 2 or np.abs(costs[-2] - costs[-1]) > stop_rate:
        if not steps_cnt % num_batches:
            np.random.shuffle(combined_data.T)  # shuffles the columns through the transposed view
            batches = np.array_split(combined_data, indices_or_sections=num_batches, axis=1)
        batch = batches[steps_cnt % num_batches]
        X_batch, Y_batch = batch[:train_x.shape[0], :], batch[train_x.shape[0]:, :]
        prediction, caches = L_model_forward(X_batch, params, use_batchnorm=BATCHNORM_USAGE)
        grads = L_model_backward(prediction, Y_batch, caches)
        params = update_parameters(params, grads, learning_rate)
        steps_cnt += 1
        if not steps_cnt % num_iterations:
            prediction, _ = L_model_forward(validation_x, params, use_batchnorm=BATCHNORM_USAGE)
            costs.append(compute_cost(prediction, validation_y))
            print(f'\tStep number: {steps_cnt} - Cost {costs[-1]:.3f}')
    print(f"\nTrain Accuracy: {predict(X=train_x, Y=train_y, parameters=params) * 100:.2f}%")
    print(f"Validation Accuracy: {predict(X=validation_x, Y=validation_y, parameters=params) * 100:.2f}%")
    return params, costs


def predict(X, Y, parameters):
    """Fraction of columns whose most probable class is the one-hot label's class."""
    m = X.shape[1]
    prediction, _ = L_model_forward(X, parameters, use_batchnorm=BATCHNORM_USAGE)
    return np.sum(np.argmax(prediction, axis=0) == np.argmax(Y, axis=0)) / m


# ---- main.py ----

def normalise_data(x, y):
    """Flatten and scale the images (rows), one-hot the labels (rows)."""
    x_normalized = x.reshape(x.shape[0], x.shape[1] * x.shape[2]) / 255.0
    y_normalized = np.zeros((y.shape[0], 10))
    y_normalized[np.arange(y.shape[0]), y] = 1
    return x_normalized, y_normalized


def prep_data():
    (x_train, y_train), (x_test, y_test) = load_data(path='mnist.npz')
    x_train, y_train = normalise_data(x_train, y_train)
    x_test, y_test = normalise_data(x_test, y_test)
    return x_train, y_train, x_test, y_test


if __name__ == '__main__':
    x_train, y_train, x_test, y_test = prep_data()
    parameters, costs = L_layer_model(x_train.T, y_train.T, layers_dims=[784, 20, 7, 5, 10],
                                      learning_rate=0.009, num_iterations=100, batch_size=64)
    print("ACC: ", predict(x_test, y_test, parameters))  # rows passed where columns are expected
