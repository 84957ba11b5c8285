using System.Numerics;

namespace Noether.Learning;

/// <summary>An optimiser as configs and scripts name it (<see cref="Optimizers.Create{T}"/>): one sealed subclass per optimiser.</summary>
public abstract class OptimizerDefinition : Definition
{
    /// <summary>The optimiser for <paramref name="members"/> members with learning rate, weight decay λ and heavy-ball μ.</summary>
    public abstract Optimizer<T> Create<T>(int members, double lr, double wd, double momentum) where T : unmanaged, IFloatingPointIeee754<T>;
}

public sealed class SgdOptimizer : OptimizerDefinition
{
    public override string Name => "sgd";
    public override string Description => "plain SGD θ ← θ − η(g + λθ)";
    public override string Options => "lr η, weight decay λ (coupled)";
    public override Optimizer<T> Create<T>(int members, double lr, double wd, double momentum) => new Sgd<T>(members, lr, wd);
}

public sealed class MomentumOptimizer : OptimizerDefinition
{
    public override string Name => "momentum";
    public override string Description => "heavy-ball SGD v ← μv + g + λθ, θ ← θ − ηv";
    public override string Options => "lr η, weight decay λ, momentum μ (number in [0, 1); default 0.9)";
    public override Optimizer<T> Create<T>(int members, double lr, double wd, double momentum) => new Sgd<T>(members, lr, wd, momentum);
}

public sealed class AdamOptimizer : OptimizerDefinition
{
    public override string Name => "adam";
    public override string Description => "Adam with bias correction (Kingma & Ba), decay added to the gradient (Adam + L2)";
    public override string Options => "lr η, weight decay λ (coupled); β₁ 0.9, β₂ 0.999, ε 1e-8";
    public override Optimizer<T> Create<T>(int members, double lr, double wd, double momentum) => new Adam<T>(members, lr, wd);
}

public sealed class AdamWOptimizer : OptimizerDefinition
{
    public override string Name => "adamw";
    public override string Description => "Adam with decoupled weight decay θ ← θ − ηλθ (Loshchilov & Hutter)";
    public override string Options => "lr η, weight decay λ (decoupled); β₁ 0.9, β₂ 0.999, ε 1e-8";
    public override Optimizer<T> Create<T>(int members, double lr, double wd, double momentum) => new Adam<T>(members, lr, wd, decoupled: true);
}
