namespace Noether.Learning;

/// <summary>A learning-rate multiplier as a function of the step (0-based).</summary>
public abstract record Schedule
{
    public abstract double Factor(long step);

    /// <summary>
    /// Parses a schedule: one <see cref="ScheduleDefinition"/>'s syntax (constant, warmup:N, step:EVERY:GAMMA; noether list
    /// schedules) or a '+' product of them, e.g. "warmup:100+step:1000:0.5".
    /// </summary>
    public static Schedule Parse(string text)
    {
        Schedule? result = null;
        foreach (var part in text.Split('+', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var f = part.Split(':');
            var s = Definitions<ScheduleDefinition>.Find(f[0])?.TryCreate(f[1..])
                ?? throw new ArgumentException($"schedule '{text}': expected {Syntaxes} or a '+' combination");
            result = result is null ? s : new ProductSchedule(result, s);
        }
        return result ?? new ConstantSchedule();
    }

    /// <summary>The accepted forms, from the registry: "constant, warmup:N, step:EVERY:GAMMA".</summary>
    public static string Syntaxes => string.Join(", ", Definitions<ScheduleDefinition>.All.Select(d => d.Syntax));
}

public sealed record ConstantSchedule : Schedule
{
    public override double Factor(long step) => 1.0;
}

/// <summary>Linear warmup: factor (step+1)/N for the first N steps, then 1.</summary>
public sealed record WarmupSchedule(int Steps) : Schedule
{
    public override double Factor(long step) => step >= Steps ? 1.0 : (step + 1.0) / Steps;
}

/// <summary>Step decay: factor Gamma^⌊step/Every⌋.</summary>
public sealed record StepSchedule(int Every, double Gamma) : Schedule
{
    public override double Factor(long step) => Math.Pow(Gamma, step / Every);
}

public sealed record ProductSchedule(Schedule A, Schedule B) : Schedule
{
    public override double Factor(long step) => A.Factor(step) * B.Factor(step);
}
