using Noether.Experiments;
using Noether.Learning;
using Noether.Nn;
using Noether.Runs;
using Noether.Learning.Rules;
using Noether.Tensors;
using Noether.Training;

namespace Noether.Tests.Experiments;

/// <summary>
/// The training sections of docs/training.md: every experiment has the same rule, syre and optimizer keys;
/// each key it accepts changes what it trains, each key it refuses is refused in one line with the reason, and
/// the defaults leave the protocol untouched.
/// </summary>
public class TrainingSectionsTests
{
    public static IEnumerable<object[]> Ids => Registry.All.Select(e => new object[] { e.Id });

    private static readonly string[] SharedKeys = ["rule.name", "rule.l2", "rule.parameter_noise", "syre.gamma", "syre.sigma0", "syre.sigma_d", "syre.scope", "optimizer.momentum", "optimizer.schedule"];

    [Fact]
    public void Every_experiment_has_the_same_training_keys()
    {
        foreach (var e in Registry.All)
        {
            var config = e.CreateConfig("quick");
            Assert.IsAssignableFrom<TrainedConfig>(config);
            var keys = ConfigBinder.Describe(config).Select(d => d.Key).ToHashSet();
            foreach (var k in SharedKeys) Assert.True(keys.Contains(k), $"{e.Id} has no key {k}");
        }
    }

    [Fact]
    public void Defaults_attach_nothing_to_the_protocols_trainer()
    {
        var net = Mlp.Build<double>(2, [3, 4, 2], "tanh");
        var data = new TrainingData<double>(new Tensor<double>([8, 3]), new Tensor<double>([8, 2]));
        Trainer<double> Fresh() => new(net, new MseLoss<double>(half: true), new Sgd<double>(2, 0.1), data, 4, [new Rng(1), new Rng(2)]);
        MemberStreams streams = (m, name) => new Rng(m).Child(name);
        var config = (TrainedConfig)Registry.Get("crh").CreateConfig("quick");
        var trainer = Fresh();
        Assert.Null(config.Attach(trainer, streams));
        Assert.Empty(trainer.AfterBackward);
        config.Syre.Gamma = 1e-3;
        Assert.Equal("syre", config.Attach(Fresh(), streams)!.Name);
        config.Rule.Name = "fa";
        Assert.Equal("fa+syre", config.Attach(Fresh(), streams)!.Name);
    }

    [Theory]
    [InlineData("optimizer.schedule=sometimes", "optimizer.schedule")]
    [InlineData("optimizer.momentum=1.5", "optimizer.momentum")]
    [InlineData("syre.sigma0=0.1", "syre.gamma")]
    public void Bad_training_keys_are_refused_naming_the_key(string set, string key)
    {
        var e = Assert.Throws<ConfigException>(() => ExperimentRunner.ResolveConfig(Registry.Get("crh"), new RunRequest("crh") { Sets = [set] }));
        Assert.Contains(key, e.Message);
    }

    /// <summary>
    /// Each training key, set on each experiment at its small config: either refused before the run with the
    /// experiment's reason, or honoured, i.e. the metrics differ from the run with the defaults.
    /// </summary>
    [Theory, Trait("Category", "Integration")]
    [MemberData(nameof(Ids))]
    public void Every_training_key_is_honoured_or_refused_with_the_reason(string id)
    {
        string baseline = Metrics(id, []);
        string[][] variants =
        [
            ["syre.gamma=0.01", "syre.sigma0=0.05"],
            ["optimizer.schedule=warmup:5"],
            ["optimizer.momentum=0.5"],
            ["rule=fa"],
            ["rule.gradient_noise=0.05"],
        ];
        var honoured = new List<string>();
        foreach (var sets in variants)
        {
            string text = string.Join(" ", sets);
            try
            {
                Assert.NotEqual(baseline, Metrics(id, sets));
                honoured.Add(text);
            }
            catch (ConfigException e)
            {
                Assert.Contains($"{id} cannot honour it: ", e.Message);
                Assert.DoesNotContain('\n', e.Message);
            }
        }
        // syre works on every trained experiment (the promise); the rest may be refused with a reason.
        Assert.Contains("syre.gamma=0.01 syre.sigma0=0.05", honoured);
    }

    private static string Metrics(string id, string[] sets)
    {
        string dir = Directory.CreateTempSubdirectory("noether-train-").FullName;
        try
        {
            var r = ExperimentRunner.Run(new RunRequest(id) { Sets = [.. ResumeEveryExperimentTests.Small[id], .. sets], OutputDirectory = Path.Combine(dir, "run"), Threads = 1 });
            Assert.Equal(RunStatus.Completed, r.Record.Status);
            return File.ReadAllText(Path.Combine(r.Directory, "metrics.csv"));
        }
        finally { Directory.Delete(dir, true); }
    }
}
