using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Noether.Experiments;

namespace Noether.Sweeps;

/// <summary>
/// Expands a <see cref="SweepSpec"/> into a manifest of fully resolved trials. Every trial's config
/// is resolved and validated through <see cref="ExperimentRunner.ResolveConfig"/> before anything is
/// written, so a bad key, value or combination stops the plan with one line naming it.
/// </summary>
public static class SweepPlanner
{
    /// <summary>More trials than this is almost surely a mistake in the spec (and beyond Slurm's default MaxArraySize).</summary>
    public const int MaxTrials = 100_000;

    public static SweepManifest Expand(SweepSpec spec)
    {
        var experiment = Registry.Get(spec.Experiment);
        if (spec.TrialCount > MaxTrials) throw new ConfigException($"the sweep expands to {spec.TrialCount} trials; at most {MaxTrials} are allowed");
        var fixedSets = spec.Fixed.Select(f => SweepSpec.SetText(f.Key, f.Value)).ToList();
        // Fixed overrides and each axis value alone first, so the error names the value rather than a trial.
        var baseRequest = new RunRequest(spec.Experiment) { Profile = spec.Profile, Sets = fixedSets };
        ExperimentRunner.ResolveConfig(experiment, baseRequest);
        foreach (var (key, values) in spec.Axes)
            foreach (var v in values)
                ExperimentRunner.ResolveConfig(experiment, baseRequest with { Sets = [.. fixedSets, SweepSpec.SetText(key, v)] });

        var points = CartesianProduct(spec.Axes.Select(a => a.Values).ToList());
        int count = points.Count * spec.Seeds.Count;
        int width = Math.Max(1, (count - 1).ToString(CultureInfo.InvariantCulture).Length);
        var trials = new List<Trial>(count);
        var seen = new Dictionary<string, string>();
        foreach (var point in points)
        {
            var axes = new JsonObject();
            var sets = new List<string>(fixedSets);
            for (int a = 0; a < point.Length; a++)
            {
                axes[spec.Axes[a].Key] = point[a]?.DeepClone();
                sets.Add(SweepSpec.SetText(spec.Axes[a].Key, point[a]));
            }
            foreach (var seed in spec.Seeds)
            {
                var request = baseRequest with { Sets = sets, Seed = seed };
                object config;
                try { config = ExperimentRunner.ResolveConfig(experiment, request); }
                catch (ConfigException e) { throw new ConfigException($"trial {Describe(axes, seed)}: {e.Message}"); }
                // Values spelled differently but equal once parsed (0.01, "1e-2") would plan the same trial twice.
                string identity = ConfigBinder.ToJson(config).ToJsonString() + "#" + seed.ToString(CultureInfo.InvariantCulture);
                if (seen.TryGetValue(identity, out var twin))
                    throw new ConfigException($"trials {twin} and {Describe(axes, seed)} resolve to the same config; expected distinct axis values");
                seen[identity] = Describe(axes, seed);
                int index = trials.Count;
                trials.Add(new Trial
                {
                    Index = index,
                    Name = TrialName(index, width, axes, seed),
                    Seed = seed,
                    Axes = axes.DeepClone().AsObject(),
                    Sets = [.. sets],
                    Config = ConfigBinder.ToJson(config),
                });
            }
        }
        return new SweepManifest
        {
            Experiment = experiment.Id,
            Profile = spec.Profile,
            Version = ExperimentRunner.Version,
            Created = DateTimeOffset.Now,
            AxisKeys = [.. spec.Axes.Select(a => a.Key), "seed"],
            Spec = (JsonObject)spec.Source.DeepClone(),
            Assemblies = [.. Plugins.Loaded],
            Trials = trials,
        };
    }

    /// <summary>
    /// Plans into <paramref name="directory"/>: writes manifest.json unless the folder already holds the
    /// same sweep (planning is idempotent); a different sweep already there is an error.
    /// </summary>
    public static SweepManifest Plan(SweepSpec spec, string directory)
    {
        var manifest = Expand(spec);
        if (File.Exists(Path.Combine(directory, SweepManifest.FileName)))
        {
            var existing = SweepManifest.Load(directory);
            if (!existing.SameTrials(manifest))
                throw new ConfigException($"{directory} already holds a different sweep ({existing.Experiment}, {existing.Trials.Count} trials); plan into another folder");
            return existing;
        }
        Noether.Runs.OutputFolder.Claim(directory);
        manifest.Save(directory);
        Directory.CreateDirectory(Path.Combine(directory, SweepManifest.TrialsFolder));
        return manifest;
    }

    private static List<JsonNode?[]> CartesianProduct(IReadOnlyList<IReadOnlyList<JsonNode?>> axes)
    {
        var result = new List<JsonNode?[]> { Array.Empty<JsonNode?>() };
        foreach (var values in axes)
            result = result.SelectMany(prefix => values.Select(v => (JsonNode?[])[.. prefix, v])).ToList();
        return result;
    }

    private static string Describe(JsonObject axes, long seed) =>
        string.Join(", ", axes.Select(kv => $"{kv.Key}={SweepSpec.ValueText(kv.Value)}").Append($"seed={seed}"));

    /// <summary>"007_balance.lr=0.01_seed=2": the index first so folders sort in trial order; only characters safe in any shell.</summary>
    public static string TrialName(int index, int width, JsonObject axes, long seed)
    {
        var sb = new StringBuilder(index.ToString(CultureInfo.InvariantCulture).PadLeft(width, '0'));
        foreach (var (key, value) in axes) sb.Append('_').Append(key).Append('=').Append(SweepSpec.ValueText(value));
        sb.Append("_seed=").Append(seed.ToString(CultureInfo.InvariantCulture));
        var name = new StringBuilder(sb.Length);
        foreach (char c in sb.ToString()) name.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '=' or '-' ? c : '-');
        return name.Length <= 120 ? name.ToString() : name.ToString(0, 120);
    }
}
