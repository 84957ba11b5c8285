using Noether.Experiments;
using Noether.Runs;

namespace Noether.Cli;

/// <summary>
/// `noether run --resume DIR`: the request that continues the run in DIR, rebuilt from its run.json
/// (experiment, profile, seed, resolved config). Options that would make it another run are refused;
/// the ones that only restate it must agree with run.json.
/// </summary>
public static class ResumeRequest
{
    /// <summary>What the user typed besides --resume.</summary>
    public sealed record Given(string? Id, string? Profile, long? Seed, bool Sets, bool Config, bool Force, bool Out);

    /// <summary>The request, or null when the run already completed (nothing to do). Throws <see cref="ConfigException"/> for every mistake.</summary>
    public static RunRequest? Build(string dir, Given given, int threads, CheckpointSettings checkpoints)
    {
        foreach (var (set, option) in new[] { (given.Sets, "--set"), (given.Config, "--config"), (given.Force, "--force"), (given.Out, "--out") })
            if (set) throw new ConfigException($"{option} cannot be combined with --resume: a resumed run keeps the config and folder it started with");
        if (!Directory.Exists(dir)) throw new ConfigException($"--resume {dir}: no such folder; expected the folder of an interrupted run");
        RunRecord record;
        try { record = RunRecord.Load(dir); }
        catch (Exception e) when (e is FileNotFoundException or UnreadableFileException or FormatException or InvalidDataException)
        {
            throw new ConfigException(e.Message);
        }
        string runJson = Path.Combine(dir, "run.json");
        if (given.Id is { } id && id != record.Experiment)
            throw new ConfigException($"{runJson} is a run of {record.Experiment}, not {id}; omit the id or give the same one");
        if (given.Profile is { } profile && profile != record.Profile)
            throw new ConfigException($"{runJson} was run with --profile {record.Profile}, not {profile}; omit --profile or give the same one");
        if (given.Seed is { } seed && seed != record.Seed)
            throw new ConfigException($"{runJson} was run with --seed {record.Seed}, not {seed}; omit --seed or give the same one");
        if (record.Status == RunStatus.Completed) return null;
        if (!File.Exists(Path.Combine(dir, RunCheckpoints.FileName)))
            throw new ConfigException($"{Path.Combine(dir, RunCheckpoints.FileName)} does not exist; this run cannot be resumed (start it again with --force)");
        Registry.Get(record.Experiment);
        return new RunRequest(record.Experiment)
        {
            Profile = record.Profile,
            Seed = record.Seed,
            ConfigJson = record.Config,
            OutputDirectory = dir,
            Threads = threads,
            Checkpoints = checkpoints,
            Resume = true,
        };
    }
}
