using Noether.Tensors;

namespace Noether.Probes.Training;

/// <summary>
/// Sharpness: the trace of the Hessian of the training loss on the current batch, over all of one member's parameters
/// (docs/probes.md#attachable-probes; the quantity of docs/experiments/noise-equilibrium.md#h-d-setting-warmup). Evaluated on a
/// float64 copy of the member (<see cref="ProbeView.BatchLoss"/>), so the run is untouched. Up to
/// <see cref="ExactLimit"/> parameters the trace is exact (one central gradient difference per coordinate); above, it is
/// Hutchinson's estimate with <see cref="Vectors"/> Rademacher vectors from a generator seeded by (step, member) alone,
/// never the trainer's streams. Networks the copy does not support (convolutions, reshapes) are skipped. Both numbers are
/// options (<c>probes.sharpness.exact_limit</c>, <c>probes.sharpness.vectors</c>); these constants are their defaults.
/// </summary>
public sealed class SharpnessProbe : TrainingProbe
{
    /// <summary>Parameter count up to which the trace is computed exactly (default of the option exact_limit).</summary>
    public const int ExactLimit = 64;
    /// <summary>Rademacher vectors of the Hutchinson estimate (default of the option vectors).</summary>
    public const int Vectors = 16;

    public override string Name => "sharpness";
    public override string Description => "Hessian trace Tr ∇²L of the training loss on the current batch over all parameters: exact up to exact_limit parameters, else Hutchinson with seeded Rademacher vectors (and its standard error)";
    public override string Source => "docs/experiments/noise-equilibrium.md";
    public override IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Integer("vectors", Vectors, "Rademacher vectors of the Hutchinson estimate (at least 2, for its standard error, which falls as 1/√vectors; each costs two gradient evaluations)", 2, 4096),
        OptionSpec.Integer("exact_limit", ExactLimit, "parameter count up to which the trace is exact (one central gradient difference per parameter); 0: always Hutchinson", 0, 1 << 20),
    ];

    public override void Measure(ProbeView view, ProbeLog log)
    {
        if (view.BatchLoss is not { } loss || view.Parameters is not { } theta) return;
        if (theta.Length <= Option<int>("exact_limit"))
        {
            log(0, "sharpness", Sharpness.ExactTrace(loss.Gradient, theta));
            log(0, "sharpness_se", 0);
            return;
        }
        var rng = new Rng(unchecked(0x5348415250UL ^ ((ulong)view.Step * 0x9E3779B97F4A7C15UL) ^ ((ulong)view.Member << 1)));
        var estimate = Sharpness.HutchinsonTrace(loss.Gradient, theta, Option<int>("vectors"), rng);
        log(0, "sharpness", estimate.Trace);
        log(0, "sharpness_se", estimate.StandardError);
    }
}
