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

    private static readonly string[] SharedKeys = ["rule.name", "rule.l2", "rule.parameter_noise", "syre.gamma", "syre.sigma0", "syre.sigma_d", "syre.scope", "optimizer.name", "optimizer.momentum", "optimizer.beta1", "optimizer.schedule"];

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

    [Theory]
    [InlineData("crh", "optimizer.name=rmsprop", "optimizer.name=rmsprop: expected one of adam, adamw, momentum, sgd")]
    [InlineData("crh", "optimizer.beta1=0.5", "optimizer.beta1=0.5: crh cannot honour it: optimizer.name=sgd does not read it (it reads optimizer.momentum)")]
    [InlineData("crh", "optimizer=adam,optimizer.momentum=0.9", "optimizer.momentum=0.9: crh cannot honour it: optimizer.name=adam does not read it (it reads optimizer.beta1, optimizer.beta2, optimizer.epsilon)")]
    [InlineData("crh", "optimizer=adam,optimizer.beta2=1.5", "optimizer.beta2=1.5: out of range")]
    [InlineData("self-assembly", "optimizer=adam", "optimizer.name=adam: self-assembly cannot honour it: its plastic feedback B moves by the plain SGD step of W")]
    [InlineData("heterosynaptic", "optimizer.name=adamw", "optimizer.name=adamw: heterosynaptic cannot honour it: its dendritic weights V")]
    [InlineData("self-assembly", "optimizer.momentum=0.9", "optimizer.momentum=0.9: self-assembly cannot honour it: its plastic feedback B moves by the plain SGD step of W")]
    [InlineData("heterosynaptic", "optimizer.momentum=0.9", "optimizer.momentum=0.9: heterosynaptic cannot honour it: its dendritic weights V")]
    [InlineData("compositional", "optimizer.momentum=0.5", "optimizer.momentum=0.5: compositional cannot honour it: optimizer.name=adamw does not read it")]
    public void Optimizer_keys_the_run_cannot_use_are_refused_in_one_line(string id, string sets, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => ExperimentRunner.ResolveConfig(Registry.Get(id), new RunRequest(id) { Sets = sets.Split(',') }));
        Assert.StartsWith(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Optimizer_name_builds_the_registered_optimiser_with_the_sections_keys()
    {
        TrainedConfig Resolve(string id, params string[] sets) => (TrainedConfig)ExperimentRunner.ResolveConfig(Registry.Get(id), new RunRequest(id) { Sets = sets });
        var plain = Assert.IsType<Sgd<double>>(Resolve("crh").Optimizer.Create<double>(2, 0.1, 0.01));
        Assert.Equal(0, plain.Momentum);
        Assert.Equal(0.5, Assert.IsType<Sgd<double>>(Resolve("crh", "optimizer.momentum=0.5").Optimizer.Create<double>(2, 0.1)).Momentum);
        Assert.Equal(0.9, Assert.IsType<Sgd<double>>(Resolve("crh", "optimizer=momentum").Optimizer.Create<double>(2, 0.1)).Momentum);
        var adam = Assert.IsType<Adam<double>>(Resolve("hebbian", "optimizer=adam", "optimizer.beta1=0.8").Optimizer.Create<double>(2, 0.1, 0.01));
        Assert.False(adam.Decoupled);
        Assert.Equal([0.01, 0.01], adam.WeightDecay);
        // compositional and multimodal-alignment train with the paper's AdamW by default, and may be switched.
        Assert.True(Assert.IsType<Adam<float>>(Resolve("compositional").Optimizer.Create<float>(1, 1e-3, 1e-4)).Decoupled);
        Assert.Equal("adamw", Resolve("multimodal-alignment").Optimizer.Name);
        Assert.IsType<Sgd<float>>(Resolve("compositional", "optimizer=sgd", "optimizer.momentum=0.9").Optimizer.Create<float>(1, 0.1));
        Assert.Equal("adam", ConfigBinder.ToJson(Resolve("crh", "optimizer=adam"))["optimizer"]!["name"]!.GetValue<string>());
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
            ["optimizer.name=adam", "optimizer.beta1=0.5"],
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
