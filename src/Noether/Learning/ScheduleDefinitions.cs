using System.Globalization;

namespace Noether.Learning;

/// <summary>A learning-rate schedule as configs write it (optimizer.schedule, <see cref="Schedule.Parse"/>): one sealed subclass per form.</summary>
public abstract class ScheduleDefinition : Definition
{
    /// <summary>How it is written, e.g. "warmup:N".</summary>
    public abstract string Syntax { get; }
    /// <summary>The schedule from the fields after its name (split at ':'), or null when they do not fit <see cref="Syntax"/>.</summary>
    public abstract Schedule? TryCreate(string[] fields);
}

public sealed class ConstantScheduleDefinition : ScheduleDefinition
{
    public override string Name => "constant";
    public override string Syntax => "constant";
    public override string Description => "factor 1 at every step";
    public override Schedule? TryCreate(string[] fields) => fields.Length == 0 ? new ConstantSchedule() : null;
}

public sealed class WarmupScheduleDefinition : ScheduleDefinition
{
    public override string Name => "warmup";
    public override string Syntax => "warmup:N";
    public override string Description => "linear warmup: factor (step + 1)/N over the first N steps, then 1";
    public override string Options => "N: warmup steps (integer ≥ 1)";
    public override Schedule? TryCreate(string[] fields) =>
        fields.Length == 1 && int.TryParse(fields[0], CultureInfo.InvariantCulture, out var n) && n > 0 ? new WarmupSchedule(n) : null;
}

public sealed class StepScheduleDefinition : ScheduleDefinition
{
    public override string Name => "step";
    public override string Syntax => "step:EVERY:GAMMA";
    public override string Description => "step decay: factor GAMMA^⌊step/EVERY⌋";
    public override string Options => "EVERY: steps between decays (integer ≥ 1); GAMMA: factor per decay (number > 0)";
    public override Schedule? TryCreate(string[] fields) =>
        fields.Length == 2 && int.TryParse(fields[0], CultureInfo.InvariantCulture, out var e) && e > 0
        && double.TryParse(fields[1], CultureInfo.InvariantCulture, out var g) && g > 0 ? new StepSchedule(e, g) : null;
}
