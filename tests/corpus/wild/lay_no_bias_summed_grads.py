"""Rewrite of github.com/brunokovac/mnist-numpy, model/layers.py (with model/models.py, training/trainer.py, data/dataset.py and train.py folded in; the evaluator, augmentations, learning-rate schedules, MnistModelBig, checkpoints and the abstract Layer base class are left out).

Style: layers
Layout: row
Network: variant: no biases (Y = X @ W in both layers)
API: one_hot(array, max_value) -> (m, max_value) rows. Layers with forward(inputs), backward(grads)
    (stores its own gradient, returns the one for the layer below) and update(learning_rate):
    FullyConnectedLayer(channels_in, channels_out, name): weights (in, out) ~ N(0, 0.01**2), no
    bias, grads_update = x.T @ grads; ReLU(name); SoftmaxLayer(name) (row-wise, forward only);
    SoftmaxWithCrossEntropyLoss(num_classes, name): forward((logits, y)), integer labels -> mean
    loss; backward() -> preds - one_hot. Model(layers): forward(inputs) -> LOGITS;
    backward(learning_rate, loss_grads) runs each layer's backward, then its update.
    MnistModelSmall(): 784 -> 256 -> ReLU -> 10. ModelTrainer(model, loss_fn).train(train_loader,
    num_steps, learning_rate); DataLoader(Dataset(images, labels), batch_size) standardises with
    the pixel mean and std (the original reshuffles each epoch). main() reads MNIST with the
    `mnist` package (2000 steps, batch 256, learning rate 2e-3).
Known bugs: the loss is the batch MEAN, but SoftmaxWithCrossEntropyLoss.backward returns
    preds - one_hot without dividing by the batch size, so every weight gradient is the batch
    SUM, m times the gradient of the reported loss. The softmax has no max shift: it overflows on large logits.
    Bias-free, the network is a variant: init, forward and train follow another network.

Expected:
    relu: pass
    relu_grad: pass
    softmax: pass
    one_hot: pass
    init: unchecked
    forward: unchecked
    loss: pass
    dW1: fail scaled
    dW2: fail scaled
    update: pass
    train: unchecked
"""

import math

import numpy as np

import mnist


def one_hot(array, max_value):
    one_hot_array = np.zeros((array.shape[0], max_value))
    one_hot_array[np.arange(array.shape[0]), array] = 1
    return one_hot_array


class FullyConnectedLayer:
    def __init__(self, channels_in, channels_out, name):
        self.name, self.channels_in, self.channels_out = name, channels_in, channels_out
        self.weights = np.random.normal(size=(channels_in, channels_out), loc=0.0, scale=1e-2)
        self.grads_update = 0

    def forward(self, inputs):
        self.x = inputs
        return np.dot(self.x, self.weights)

    def backward(self, grads):
        self.grads_update = np.dot(self.x.T, grads)
        return np.dot(grads, self.weights.T)

    def update(self, learning_rate):
        self.weights -= self.grads_update * learning_rate


class ReLU:
    def __init__(self, name):
        self.name = name
    def forward(self, inputs):
        self.x = inputs
        return np.where(self.x > 0, self.x, 0)
    def backward(self, grads):
        return (self.x > 0) * grads
    def update(self, learning_rate):
        pass


class SoftmaxLayer:
    def __init__(self, name):
        self.name = name
    def forward(self, inputs):
        self.x = inputs
        return np.exp(self.x) / np.sum(np.exp(self.x), axis=1)[:, None]


class SoftmaxWithCrossEntropyLoss:
    def __init__(self, num_classes, name):
        self.name, self.num_classes = name, num_classes
        self.softmax_fn = SoftmaxLayer(name + "_softmax")

    def forward(self, inputs):
        x, y = inputs
        self.preds = self.softmax_fn.forward(x)
        self.y_one_hot = one_hot(y, self.num_classes)
        self.loss = -np.mean(np.log(np.sum(self.preds * self.y_one_hot, axis=1)))
        return self.loss

    def backward(self, grads=None):
        return self.preds - self.y_one_hot


class Model:
    def __init__(self, layers):
        self.layers = layers
    def forward(self, inputs):
        out = inputs
        for layer in self.layers:
            out = layer.forward(out)
        return out
    def backward(self, learning_rate, loss_grads):
        grads = loss_grads
        for layer in self.layers[::-1]:
            grads = layer.backward(grads)
            layer.update(learning_rate)


class MnistModelSmall(Model):
    def __init__(self):
        super().__init__([FullyConnectedLayer(28 * 28, 256, name="fc_1"), ReLU(name="relu_1"),
                          FullyConnectedLayer(256, 10, name="fc_2")])


class Dataset:
    def __init__(self, images, labels):
        self.images, self.labels = images, labels
        self.images_mean, self.images_std = np.mean(images), np.std(images)


class DataLoader:
    def __init__(self, dataset, batch_size):
        self.dataset, self.batch_size, self.batch_idx = dataset, batch_size, 0
        self.num_batches = math.floor(len(dataset.labels) / batch_size)

    def next(self):
        lo = (self.batch_idx % self.num_batches) * self.batch_size
        self.batch_idx += 1
        d = self.dataset
        return (d.images[lo:lo + self.batch_size] - d.images_mean) / d.images_std, d.labels[lo:lo + self.batch_size]


class ModelTrainer:
    def __init__(self, model, loss_fn, log_every_n_steps=50):
        self.model, self.loss_fn, self.log_every_n_steps = model, loss_fn, log_every_n_steps

    def train(self, train_loader, num_steps, learning_rate):
        for i in range(num_steps):
            x, y = train_loader.next()
            preds = self.model.forward(np.reshape(x, [x.shape[0], -1]))
            loss_value = self.loss_fn.forward((preds, y))
            if i % self.log_every_n_steps == 0:
                print(i, learning_rate, loss_value)
            self.model.backward(learning_rate, self.loss_fn.backward())


def main():
    images, labels = mnist.train_images(), mnist.train_labels()
    cut = round(0.8 * len(labels))
    train_loader = DataLoader(Dataset(images[:cut], labels[:cut]), batch_size=256)
    model = MnistModelSmall()
    trainer = ModelTrainer(model, SoftmaxWithCrossEntropyLoss(num_classes=10, name="ce_loss"))
    trainer.train(train_loader, 2000, 2e-3)

    test_x = (mnist.test_images() - np.mean(images)) / np.std(images)
    preds = model.forward(test_x.reshape(len(test_x), -1))
    print(np.mean(np.argmax(preds, axis=1) == mnist.test_labels()))


if __name__ == '__main__':
    main()
