using Noether.Experiments;
using Noether.Runs;
using Xunit.Abstractions;

namespace Noether.Tests.Experiments;

/// <summary>
/// Every registered experiment, at a small config, stopped at two of its safe points (a phase start or
/// a training step, a third and two thirds of the way through) and resumed each time, ends with the same
/// metrics.csv, figures.json, claims and members as an uninterrupted run, byte for byte (1 thread).
/// </summary>
[Collection("console")]
public class ResumeEveryExperimentTests(ITestOutputHelper output)
{
    /// <summary>Small configs: a second or two each, every phase still run.</summary>
    public static readonly Dictionary<string, string[]> Small = new()
    {
        ["hebbian"] = ["seeds=1", "decay.steps=400", "noise.steps=300", "rule.l2=0.3", "weak_form.steps=400", "weak_form.window=100"],
        ["heterosynaptic"] = ["seeds=1", "network.steps=400", "consistency.window=40", "evolution.steps=60", "evolution.fitness_window=10", "evolution.population=4",
            "evolution.generations=2", "evolution.check_generation=1", "metaplasticity.train_steps=200", "metaplasticity.history_steps=50"],
        ["self-assembly"] = ["seeds=1", "network.steps=400"],
        ["noise-equilibrium"] = ["seeds=1", "balance.sgd_steps=2000", "balance.gd_steps=300", "scale.steps=2000", "warmup.steps=1000", "warmup.warmup_steps=500", "probe_every=250"],
        ["entropic-balance"] = ["seeds=1", "alignment.sgd_steps=3000", "alignment.anneal_steps=1000", "alignment.gd_steps=400", "neuron_balance.sgd_steps=10000", "deep.sgd_steps=1000", "deep.anneal_steps=500", "deep.gd_steps=200",
            "discretisation.steps=100", "probe_every=200"],
        ["symmetry-hierarchy"] = ["seeds=1", "ladder_steps=2000"],
        ["crh"] = ["seeds=1", "steps=3000", "probe_every=200"],
        ["syre"] = ["seeds=1", "steps=2000"],
        ["multimodal-alignment"] = ["seeds=1", "train.epochs=1", "train.fixed_epochs=1", "data.train_samples=4000", "data.test_samples=1000", "align.samples=256"],
        ["compositional"] = ["seeds=1", "mlp.epochs=30", "stripe.epochs=15", "low_rank.epochs=10", "probe_every=5"],
    };

    public static IEnumerable<object[]> Ids => Registry.All.Select(e => new object[] { e.Id });

    [Fact]
    public void Every_registered_experiment_has_a_small_config_here() =>
        Assert.Equal(Registry.All.Select(e => e.Id).Order(), Small.Keys.Order());

    [Theory, Trait("Category", "Integration")]
    [MemberData(nameof(Ids))]
    public void Stopped_twice_and_resumed_it_ends_byte_identical_to_an_uninterrupted_run(string id)
    {
        string root = Directory.CreateTempSubdirectory("noether-resume-").FullName;
        try
        {
            // The uninterrupted run also lists the safe points, in order (checkpoints at its start only: nothing else changes).
            var labels = new List<string>();
            var reference = Run(id, Path.Combine(root, "reference"), new CheckpointSettings { EverySeconds = 1e9, StopAt = l => { labels.Add(l); return false; } });
            Assert.Equal(RunStatus.Completed, reference.Record.Status);
            Assert.True(labels.Count >= 2, $"{id}: only {labels.Count} safe points");
            Assert.Equal(labels.Count, labels.Distinct().Count());
            string first = labels[labels.Count / 3], second = labels[Math.Max(labels.Count / 3 + 1, 2 * labels.Count / 3)];
            output.WriteLine($"{id}: {labels.Count} safe points ({labels.Count(l => l.EndsWith("@start", StringComparison.Ordinal))} phase starts); stopping at {first} and {second}");

            string dir = Path.Combine(root, "resumed");
            var stopped = Run(id, dir, new CheckpointSettings { EverySeconds = 0.2, StopAt = l => l == first });
            Assert.Equal(RunStatus.Interrupted, stopped.Record.Status);
            var again = Run(id, dir, new CheckpointSettings { EverySeconds = 0.2, StopAt = l => l == second }, resume: true);
            Assert.Equal(RunStatus.Interrupted, again.Record.Status);
            var resumed = Run(id, dir, new CheckpointSettings { EverySeconds = 0.2 }, resume: true);
            Assert.Equal(RunStatus.Completed, resumed.Record.Status);
            Assert.Equal(2, resumed.Record.ResumedFrom.Count);

            string refDir = reference.Directory;
            Assert.Equal(File.ReadAllBytes(Path.Combine(refDir, "metrics.csv")), File.ReadAllBytes(Path.Combine(dir, "metrics.csv")));
            Assert.Equal(File.Exists(Path.Combine(refDir, "figures.json")), File.Exists(Path.Combine(dir, "figures.json")));
            if (File.Exists(Path.Combine(refDir, "figures.json")))
                Assert.Equal(File.ReadAllBytes(Path.Combine(refDir, "figures.json")), File.ReadAllBytes(Path.Combine(dir, "figures.json")));
            Assert.Equal(reference.Record.Claims.Select(c => (c.Id, c.Measured, c.Passed, c.Details)), resumed.Record.Claims.Select(c => (c.Id, c.Measured, c.Passed, c.Details)));
            Assert.Equal(reference.Record.Members.Select(m => m.ToJsonString()), resumed.Record.Members.Select(m => m.ToJsonString()));
            Assert.Equal(reference.Record.Figures, resumed.Record.Figures);
            Assert.False(File.Exists(Path.Combine(dir, RunCheckpoints.FileName))); // a completed run leaves nothing to resume
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    private static RunResult Run(string id, string dir, CheckpointSettings checkpoints, bool resume = false) =>
        ExperimentRunner.Run(new RunRequest(id) { Sets = Small[id], OutputDirectory = dir, Threads = 1, Checkpoints = checkpoints, Resume = resume });
}
