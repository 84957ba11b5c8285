using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Noether.Training;

namespace Noether.Experiments;

/// <summary>
/// Runs an experiment as a sequence of named phases (<see cref="RunContext.Phase{T}"/>), which is what
/// makes every experiment resumable. When a phase completes, its typed result (System.Text.Json), the
/// figures it added and the populations it registered are stored in the run's checkpoint; a resumed
/// run skips the phases already done, getting back their stored result, figures and populations, and
/// re-runs the phase it was in — from its start, or from the last step safe point for a phase that
/// trains through <see cref="CheckpointPhase.SafePoint"/>.
/// <para>
/// The rule that keeps a resumed run bit for bit equal to an uninterrupted one: metrics are logged only
/// inside a phase or after the last phase, and a phase draws only from random streams it creates
/// itself (a stream shared between two phases would be drawn from differently when the first is skipped).
/// </para>
/// </summary>
public static class PhaseRunner
{
    /// <summary>Round-trips doubles exactly (shortest round-trip text), NaN and ±∞ included, and tuples' fields.</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        IncludeFields = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private static readonly JsonSerializerOptions FigureJson = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static T Run<T>(RunContext ctx, string name, Func<CheckpointPhase, T> body)
    {
        var phase = ctx.Checkpoints.Phase(name);
        if (phase.Done)
        {
            var stored = phase.Results!;
            foreach (var population in ReadPopulations(stored.GetString("phase/populations"))) ctx.Population(population.Phase, population.Layout);
            ctx.Figures.AddRange(JsonSerializer.Deserialize<List<Figure>>(stored.GetString("phase/figures"), FigureJson) ?? []);
            return JsonSerializer.Deserialize<T>(stored.GetString("phase/result"), Json)!;
        }
        int figures = ctx.Figures.Count, populations = ctx.Populations.Count;
        var result = body(phase);
        ctx.Cancel.ThrowIfCancellationRequested();
        var added = ctx.Figures.Skip(figures).ToList();
        var registered = ctx.Populations.Skip(populations).ToList();
        phase.Complete(s =>
        {
            s.Put("phase/result", JsonSerializer.Serialize(result, Json));
            s.Put("phase/figures", JsonSerializer.Serialize(added, FigureJson));
            s.Put("phase/populations", WritePopulations(registered));
        });
        return result;
    }

    /// <summary>A phase whose result is a list of claims (stored as run.json's claim records).</summary>
    public static IReadOnlyList<Claim> Claims(RunContext ctx, string name, Func<CheckpointPhase, IReadOnlyList<Claim>> body) =>
        Run(ctx, name, phase => body(phase).Select(ExperimentRunner.ToRecord).ToList()).Select(ExperimentRunner.FromRecord).ToList();

    /// <summary>A phase whose result is a list of claims and a value later phases need.</summary>
    public static (IReadOnlyList<Claim> Claims, T Value) Claims<T>(RunContext ctx, string name, Func<CheckpointPhase, (IReadOnlyList<Claim> Claims, T Value)> body)
    {
        var (records, value) = Run(ctx, name, phase =>
        {
            var (claims, v) = body(phase);
            return (claims.Select(ExperimentRunner.ToRecord).ToList(), v);
        });
        return (records.Select(ExperimentRunner.FromRecord).ToList(), value);
    }

    private static string WritePopulations(IEnumerable<Population> populations)
    {
        var list = new JsonArray();
        foreach (var p in populations)
        {
            var axes = new JsonArray();
            foreach (var axis in p.Layout.Axes)
            {
                var fields = new JsonArray();
                foreach (var f in axis.Fields)
                {
                    string kind = f.Values.Count > 0 ? f.Values[0] switch { double => "double", int => "int", _ => "string" } : "double";
                    var values = new JsonArray();
                    foreach (var v in f.Values)
                        values.Add(v switch { double d => JsonValue.Create(d.ToString("R", System.Globalization.CultureInfo.InvariantCulture)), int i => JsonValue.Create(i), _ => JsonValue.Create((string)v) });
                    fields.Add(new JsonObject { ["name"] = f.Name, ["kind"] = kind, ["values"] = values });
                }
                axes.Add(fields);
            }
            list.Add(new JsonObject { ["phase"] = p.Phase, ["seeds"] = p.Layout.Seeds, ["axes"] = axes });
        }
        return list.ToJsonString();
    }

    private static IEnumerable<(string Phase, PopulationLayout Layout)> ReadPopulations(string json)
    {
        foreach (var p in JsonNode.Parse(json)!.AsArray())
        {
            var axes = new List<ConditionAxis>();
            foreach (var axis in p!["axes"]!.AsArray())
            {
                ConditionAxis? built = null;
                foreach (var f in axis!.AsArray())
                {
                    string name = (string)f!["name"]!, kind = (string)f["kind"]!;
                    var values = f["values"]!.AsArray();
                    built = kind switch
                    {
                        "int" => built is null ? ConditionAxis.Of(name, values.Select(v => (int)v!)) : built.And(name, values.Select(v => (int)v!)),
                        "string" => built is null ? ConditionAxis.Of(name, values.Select(v => (string)v!)) : built.And(name, values.Select(v => (string)v!)),
                        _ => built is null ? ConditionAxis.Of(name, values.Select(ParseDouble)) : built.And(name, values.Select(ParseDouble)),
                    };
                }
                axes.Add(built!);
            }
            yield return ((string)p["phase"]!, new PopulationLayout((int)p["seeds"]!, [.. axes]));
        }
        static double ParseDouble(JsonNode? v) => double.Parse((string)v!, System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>Step-level safe points for a phase that trains: the trainer and the phase's own accumulators are saved and restored with it.</summary>
public static class PhaseTraining
{
    /// <summary>
    /// Trains until step <paramref name="steps"/> (counted from the phase's start, so a resumed trainer
    /// only takes the steps left), calling <paramref name="probe"/> before the first step, after every
    /// <paramref name="every"/>-th step and after the last, exactly as <see cref="Trainer{T}.Run"/> does.
    /// Each probe point is a safe point: before the probe runs, a due checkpoint saves the trainer and
    /// <paramref name="state"/> (what the probes accumulate); a resumed phase loads them and starts by
    /// running that probe again, so metrics.csv — cut back to the checkpoint — gets the same rows.
    /// </summary>
    public static void Train<T>(this CheckpointPhase phase, Trainer<T> trainer, long steps, long every, Action<long> probe,
        CancellationToken cancel, params ICheckpointable[] state) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        if (phase.Resumed is { } saved)
        {
            trainer.LoadState(saved);
            for (int i = 0; i < state.Length; i++) state[i].Load(saved, $"acc{i}.");
        }
        Action<CheckpointState> save = s =>
        {
            trainer.SaveState(s);
            for (int i = 0; i < state.Length; i++) state[i].Save(s, $"acc{i}.");
        };
        trainer.Run(steps - trainer.Step, every, step =>
        {
            phase.SafePoint(step, save);
            probe(step);
        }, cancel);
    }
}

/// <summary>Curves a phase accumulates at its probe points (one list of numbers each), saved with its checkpoints.</summary>
public sealed class Curves(int count) : ICheckpointable
{
    private readonly List<double>[] _curves = Enumerable.Range(0, count).Select(_ => new List<double>()).ToArray();

    public List<double> this[int i] => _curves[i];
    /// <summary>The curves themselves, for code that takes an array of lists.</summary>
    public List<double>[] Lists => _curves;
    public int Count => _curves.Length;

    public void Save(CheckpointState state, string prefix)
    {
        for (int i = 0; i < _curves.Length; i++) state.Put($"{prefix}{i}", _curves[i].ToArray());
    }

    public void Load(CheckpointState state, string prefix)
    {
        for (int i = 0; i < _curves.Length; i++)
        {
            _curves[i].Clear();
            _curves[i].AddRange(state.Get<double>($"{prefix}{i}"));
        }
    }
}
