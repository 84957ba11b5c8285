namespace Noether.Learning;

/// <summary>A learning-rate multiplier as a function of the step (0-based).</summary>
public abstract record Schedule
{
    public abstract double Factor(long step);

    /// <summary>Parses "constant", "warmup:N" (linear from 1/N to 1 over N steps), "step:E:G" (×G every E steps), or "warmup:N+step:E:G".</summary>
    public static Schedule Parse(string text)
    {
        Schedule? result = null;
        foreach (var part in text.Split('+', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var f = part.Split(':');
            Schedule s = f[0] switch
            {
                "constant" when f.Length == 1 => new ConstantSchedule(),
                "warmup" when f.Length == 2 && int.TryParse(f[1], out var n) && n > 0 => new WarmupSchedule(n),
                "step" when f.Length == 3 && int.TryParse(f[1], out var e) && e > 0 && double.TryParse(f[2], System.Globalization.CultureInfo.InvariantCulture, out var g) && g > 0 => new StepSchedule(e, g),
                _ => throw new ArgumentException($"schedule '{text}': expected constant, warmup:N, step:EVERY:GAMMA or a '+' combination"),
            };
            result = result is null ? s : new ProductSchedule(result, s);
        }
        return result ?? new ConstantSchedule();
    }
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
