using System.Numerics;

namespace Noether.Learning;

/// <summary>
/// The <c>optimizer.*</c> values an optimiser may read besides the learning rate and weight decay (which stay each
/// experiment's keys); the defaults are the optimisers' usual ones.
/// </summary>
public sealed record OptimizerSettings
{
    /// <summary>Heavy-ball μ (<c>optimizer.momentum</c>); 0 is plain SGD.</summary>
    public double Momentum { get; init; }
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
    public double Epsilon { get; init; } = 1e-8;
}

/// <summary>An optimiser as configs and scripts name it (<see cref="Optimizers.Create{T}"/>): one sealed subclass per optimiser.</summary>
public abstract class OptimizerDefinition : Definition
{
    /// <summary>The optimiser for <paramref name="members"/> members with learning rate, weight decay λ and heavy-ball μ.</summary>
    public abstract Optimizer<T> Create<T>(int members, double lr, double wd, double momentum) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The optimiser a config's <c>optimizer</c> section asks for (<c>optimizer.name</c> and the keys in <see cref="Reads"/>).</summary>
    public abstract Optimizer<T> Create<T>(int members, double lr, double wd, OptimizerSettings settings) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The keys of the <c>optimizer</c> section it reads (besides <c>name</c> and <c>schedule</c>); changing another is refused.</summary>
    public abstract IReadOnlyList<string> Reads { get; }
}

public sealed class SgdOptimizer : OptimizerDefinition
{
    public override string Name => "sgd";
    public override string Description => "SGD θ ← θ − η(g + λθ); with optimizer.momentum μ > 0, heavy-ball (as momentum)";
    public override string Options => "lr η and weight decay λ (coupled) from the experiment; optimizer.momentum μ (default 0: plain SGD)";
    public override IReadOnlyList<string> Reads => ["momentum"];
    public override Optimizer<T> Create<T>(int members, double lr, double wd, double momentum) => new Sgd<T>(members, lr, wd);
    public override Optimizer<T> Create<T>(int members, double lr, double wd, OptimizerSettings settings) => new Sgd<T>(members, lr, wd, settings.Momentum);
}

public sealed class MomentumOptimizer : OptimizerDefinition
{
    public override string Name => "momentum";
    public override string Description => "heavy-ball SGD v ← μv + g + λθ, θ ← θ − ηv";
    public override string Options => "lr η and weight decay λ from the experiment; optimizer.momentum μ (number in [0, 1); 0.9 when left at 0)";
    public override IReadOnlyList<string> Reads => ["momentum"];
    public override Optimizer<T> Create<T>(int members, double lr, double wd, double momentum) => new Sgd<T>(members, lr, wd, momentum);
    public override Optimizer<T> Create<T>(int members, double lr, double wd, OptimizerSettings settings) =>
        new Sgd<T>(members, lr, wd, settings.Momentum > 0 ? settings.Momentum : 0.9);
}

public sealed class AdamOptimizer : OptimizerDefinition
{
    public override string Name => "adam";
    public override string Description => "Adam with bias correction (Kingma & Ba), decay added to the gradient (Adam + L2)";
    public override string Options => "lr η and weight decay λ (coupled) from the experiment; optimizer.beta1 β₁ 0.9, optimizer.beta2 β₂ 0.999, optimizer.epsilon ε 1e-8";
    public override IReadOnlyList<string> Reads => ["beta1", "beta2", "epsilon"];
    public override Optimizer<T> Create<T>(int members, double lr, double wd, double momentum) => new Adam<T>(members, lr, wd);
    public override Optimizer<T> Create<T>(int members, double lr, double wd, OptimizerSettings settings) =>
        new Adam<T>(members, lr, wd, decoupled: false, settings.Beta1, settings.Beta2, settings.Epsilon);
}

public sealed class AdamWOptimizer : OptimizerDefinition
{
    public override string Name => "adamw";
    public override string Description => "Adam with decoupled weight decay θ ← θ − ηλθ (Loshchilov & Hutter)";
    public override string Options => "lr η and weight decay λ (decoupled) from the experiment; optimizer.beta1 β₁ 0.9, optimizer.beta2 β₂ 0.999, optimizer.epsilon ε 1e-8";
    public override IReadOnlyList<string> Reads => ["beta1", "beta2", "epsilon"];
    public override Optimizer<T> Create<T>(int members, double lr, double wd, double momentum) => new Adam<T>(members, lr, wd, decoupled: true);
    public override Optimizer<T> Create<T>(int members, double lr, double wd, OptimizerSettings settings) =>
        new Adam<T>(members, lr, wd, decoupled: true, settings.Beta1, settings.Beta2, settings.Epsilon);
}
