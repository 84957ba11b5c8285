using System.Numerics;
using Noether.Learning;

namespace Noether.Experiments;

/// <summary>
/// The `optimizer.*` config section, one of the training sections every trained experiment has
/// (<see cref="TrainedConfig"/>, docs/training.md): heavy-ball momentum for the experiments that train with SGD,
/// and a learning-rate schedule over each training phase. The learning rates and the optimiser itself are the
/// protocol's (keys of each experiment); the defaults here (no momentum, constant rate) change nothing.
/// </summary>
public sealed class OptimizerConfig : IValidatedConfig
{
    [Param("heavy-ball momentum μ of SGD, v ← μv + g + λθ (0: plain SGD, the protocols' choice)", Min = 0, Max = 0.999)]
    public double Momentum { get; set; }

    [Param("learning-rate schedule of every training phase (noether list schedules), or a '+' product such as warmup:100+step:1000:0.5")]
    public string Schedule { get; set; } = "constant";

    /// <summary>Whether the section asks for anything beyond the protocol's optimiser.</summary>
    public bool IsDefault => Momentum == 0 && Learning.Schedule.Parse(Schedule) is ConstantSchedule;

    public void Validate()
    {
        try { Learning.Schedule.Parse(Schedule); }
        catch (ArgumentException) { throw new ConfigException($"optimizer.schedule={Schedule}: expected {Learning.Schedule.Syntaxes} or a '+' product of them (e.g. warmup:100+step:1000:0.5)"); }
    }

    /// <summary>SGD with the protocol's learning rate and coupled decay λ (per member settable later) and this section's momentum.</summary>
    public Sgd<T> Sgd<T>(int members, double learningRate, double weightDecay = 0) where T : unmanaged, IFloatingPointIeee754<T> =>
        new(members, learningRate, weightDecay, Momentum);

    /// <summary>The schedule every trainer of the run follows (a fresh object: schedules are stateless).</summary>
    public Schedule ScheduleOf() => Learning.Schedule.Parse(Schedule);

    /// <summary>This section's schedule on top of a protocol's own (e.g. an annealing phase): their product; the protocol's alone when this one is constant.</summary>
    public Schedule? ScheduleOf(Schedule? protocol) => protocol is null ? ScheduleOf() : ScheduleOf() is ConstantSchedule ? protocol : new ProductSchedule(protocol, ScheduleOf());
}
