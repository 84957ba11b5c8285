using System.Globalization;
using System.Numerics;
using Noether.Learning;

namespace Noether.Experiments;

/// <summary>
/// The `optimizer.*` config section, one of the training sections every trained experiment has
/// (<see cref="TrainedConfig"/>, docs/training.md): which optimiser trains (<c>optimizer.name</c>, or <c>--set optimizer=adam</c>;
/// the registered <see cref="OptimizerDefinition"/>s), its own keys (heavy-ball momentum for SGD; β₁, β₂, ε for Adam), and a
/// learning-rate schedule over each training phase. The learning rates and weight decays stay the protocol's keys of each
/// experiment; the defaults here (plain SGD, or the protocol's own optimiser where an experiment sets another default,
/// constant rate) change nothing. A key the chosen optimiser does not read is refused (<see cref="Unused"/>).
/// </summary>
[SectionValue(nameof(Name))]
public sealed class OptimizerConfig : IValidatedConfig
{
    [Param("the optimiser of every training phase (noether list optimizers); learning rates and weight decays stay the experiment's keys", OneOfNames = typeof(Optimizers))]
    public string Name { get; set; } = "sgd";

    [Param("heavy-ball momentum μ of SGD, v ← μv + g + λθ (0: plain SGD, the protocols' choice; sgd and momentum only)", Min = 0, Max = 0.999)]
    public double Momentum { get; set; }

    [Param("Adam's β₁, the decay of its first-moment average (adam and adamw only)", Min = 0, Max = 0.999999)]
    public double Beta1 { get; set; } = 0.9;

    [Param("Adam's β₂, the decay of its second-moment average (adam and adamw only)", Min = 0, Max = 0.999999)]
    public double Beta2 { get; set; } = 0.999;

    [Param("Adam's ε in the denominator √v̂ + ε (adam and adamw only)", Min = 1e-30, Max = 1)]
    public double Epsilon { get; set; } = 1e-8;

    [Param("learning-rate schedule of every training phase (noether list schedules), or a '+' product such as warmup:100+step:1000:0.5")]
    public string Schedule { get; set; } = "constant";

    /// <summary>The registered optimiser <see cref="Name"/> names.</summary>
    public OptimizerDefinition Definition => Definitions<OptimizerDefinition>.Get(Name, "optimizer");

    public void Validate()
    {
        try { Learning.Schedule.Parse(Schedule); }
        catch (ArgumentException) { throw new ConfigException($"optimizer.schedule={Schedule}: expected {Learning.Schedule.Syntaxes} or a '+' product of them (e.g. warmup:100+step:1000:0.5)"); }
    }

    /// <summary>
    /// The first key of this section changed from <paramref name="defaults"/> that the chosen optimiser does not read (e.g.
    /// optimizer.beta1 with SGD, optimizer.momentum with Adam), with its value and what the optimiser reads; null when none.
    /// </summary>
    public (string Key, string Value, string Why)? Unused(OptimizerConfig defaults)
    {
        var reads = Definition.Reads;
        foreach (var (key, value, before) in new[] { ("momentum", Momentum, defaults.Momentum), ("beta1", Beta1, defaults.Beta1), ("beta2", Beta2, defaults.Beta2), ("epsilon", Epsilon, defaults.Epsilon) })
            if (value != before && !reads.Contains(key))
                return ("optimizer." + key, value.ToString("R", CultureInfo.InvariantCulture),
                    $"optimizer.name={Name} does not read it (it reads {(reads.Count == 0 ? "none of them" : string.Join(", ", reads.Select(r => "optimizer." + r)))})");
        return null;
    }

    /// <summary>The optimiser this section names with the protocol's learning rate and weight decay λ (per member settable later).</summary>
    public Optimizer<T> Create<T>(int members, double learningRate, double weightDecay = 0) where T : unmanaged, IFloatingPointIeee754<T> =>
        Definition.Create<T>(members, learningRate, weightDecay, new OptimizerSettings { Momentum = Momentum, Beta1 = Beta1, Beta2 = Beta2, Epsilon = Epsilon });

    /// <summary>The schedule every trainer of the run follows (a fresh object: schedules are stateless).</summary>
    public Schedule ScheduleOf() => Learning.Schedule.Parse(Schedule);

    /// <summary>This section's schedule on top of a protocol's own (e.g. an annealing phase): their product; the protocol's alone when this one is constant.</summary>
    public Schedule? ScheduleOf(Schedule? protocol) => protocol is null ? ScheduleOf() : ScheduleOf() is ConstantSchedule ? protocol : new ProductSchedule(protocol, ScheduleOf());
}
