using System.Numerics;

namespace Noether.Nn;

/// <summary>An activation as configs name it (model.activation, <see cref="Mlp.Build{T}"/>): one sealed subclass per activation.</summary>
public abstract class ActivationDefinition : Definition
{
    /// <summary>The layer for <paramref name="members"/> members and <paramref name="features"/> features.</summary>
    public abstract Layer<T> Create<T>(int members, int features, double leakySlope) where T : unmanaged, IFloatingPointIeee754<T>;
}

public sealed class IdentityActivation : ActivationDefinition
{
    public override string Name => "identity";
    public override IReadOnlyList<string> Aliases => ["linear"];
    public override string Description => "σ(x) = x (a linear network)";
    public override Layer<T> Create<T>(int members, int features, double leakySlope) => new Identity<T>(members);
}

public sealed class TanhActivation : ActivationDefinition
{
    public override string Name => "tanh";
    public override string Description => "σ(x) = tanh x";
    public override Layer<T> Create<T>(int members, int features, double leakySlope) => new Tanh<T>(members);
}

public sealed class ReluActivation : ActivationDefinition
{
    public override string Name => "relu";
    public override string Description => "σ(x) = max(x, 0)";
    public override Layer<T> Create<T>(int members, int features, double leakySlope) => new Relu<T>(members);
}

public sealed class SigmoidActivation : ActivationDefinition
{
    public override string Name => "sigmoid";
    public override string Description => "σ(x) = 1 / (1 + e^−x)";
    public override Layer<T> Create<T>(int members, int features, double leakySlope) => new Sigmoid<T>(members);
}

public sealed class LeakyReluActivation : ActivationDefinition
{
    public override string Name => "leaky_relu";
    public override string Description => "σ(x) = x for x > 0, slope·x otherwise";
    public override string Options => "slope: negative-side slope (number > 0; default 0.01)";
    public override Layer<T> Create<T>(int members, int features, double leakySlope) => new LeakyRelu<T>(members, leakySlope);
}

public sealed class PReluActivation : ActivationDefinition
{
    public override string Name => "prelu";
    public override string Description => "leaky ReLU whose negative-side slope is learned per feature";
    public override string Options => "initial slope 0.25 per feature (a trained parameter)";
    public override Layer<T> Create<T>(int members, int features, double leakySlope) => new PRelu<T>(members, features);
}
