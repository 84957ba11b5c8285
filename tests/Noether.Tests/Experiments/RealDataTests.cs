using Noether.Data;
using Noether.Experiments;
using Noether.Runs;
using Noether.Tensors;
using Noether.Tests.Data;

namespace Noether.Tests.Experiments;

/// <summary>
/// The `data.*` section and the real-data variants of the experiments. The variants run here with tiny
/// overrides (a few hundred images, a few dozen steps) so CI, which installs dataset-fashion-mnist, runs them
/// in seconds: they must run and state every claim with a finite measurement; whether a tiny run passes is
/// not asserted (the full profile is what the claims are about).
/// </summary>
public sealed class RealDataTests : IDisposable
{
    private readonly DataFixtures _f = new();
    public void Dispose() => _f.Dispose();

    public static TheoryData<string> RealDataExperiments => new() { "crh", "entropic-balance", "syre", "hebbian", "self-assembly" };

    /// <summary>Overrides that make each real-data variant a seconds-long smoke run.</summary>
    private static readonly Dictionary<string, string[]> Tiny = new()
    {
        ["crh"] = ["real.steps=60", "real.probe_every=30", "real.seeds=2", "real.weight_decays=0,0.02", "real.probe_samples=100", "real.null_samples=2"],
        ["entropic-balance"] = ["real.steps=60", "real.probe_every=30", "real.seeds=2", "real.width=16", "real.balance_batches=20", "real.control_batch=100"],
        ["syre"] = ["real.steps=60", "real.probe_every=30", "real.seeds=2", "real.width=16", "real.gammas=0.001,0.01", "real.probe_samples=100"],
        ["hebbian"] = ["real.steps=60", "real.probe_every=30", "real.seeds=2", "real.hidden=16", "real.weight_decays=0,0.03", "real.batch=32"],
        ["self-assembly"] = ["real.steps=60", "real.probe_every=30", "real.seeds=2", "real.hidden=16,16", "baselines=backprop,fa"],
    };

    private static readonly Dictionary<string, string[]> ClaimIds = new()
    {
        ["crh"] = ["F-real.alignment-gain", "F-real.alignment-grows-with-gamma", "F-real.weight-alignments", "F-real.above-orthogonal-null", "F-real.learns"],
        ["entropic-balance"] = ["D-real.hidden-layer-balance", "D-real.hidden-neuron-balance", "D-real.input-layer-balance", "D-real.start-unbalanced", "D-real.learns", "D-real.noise-makes-balance"],
        ["syre"] = ["G-real.vanilla-collapse", "G-real.syre-prevents-collapse", "G-real.vanilla-feature-collapse", "G-real.syre-feature-rank", "G-real.syre-accuracy"],
        ["hebbian"] = ["A-real.monotone", "A-real.layer2-gain", "A-real.layer2-level", "A-real.layer1-gain", "A-real.no-decay", "A-real.learns"],
        ["self-assembly"] = ["C-real.random-start", "C-real.self-assembly", "C-real.as-good-as-backprop", "C-real.learns"],
    };

    [Theory]
    [MemberData(nameof(RealDataExperiments))]
    public void Missing_data_dir_is_a_one_line_config_error_naming_the_path_and_the_package(string id)
    {
        var e = Assert.Throws<ConfigException>(() => ExperimentRunner.ResolveConfig(Registry.Get(id),
            new RunRequest(id) { Profile = "full", Sets = ["data=fashion-mnist", "data.dir=/nonexistent"] }));
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains("/nonexistent", e.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
    }

    [Theory]
    [MemberData(nameof(RealDataExperiments))]
    public void Synthetic_stays_the_default(string id)
    {
        foreach (var profile in new[] { "quick", "full" })
        {
            var config = ExperimentRunner.ResolveConfig(Registry.Get(id), new RunRequest(id) { Profile = profile });
            var data = (DataConfig)config.GetType().GetProperty("Data")!.GetValue(config)!;
            Assert.False(data.IsReal);
        }
    }

    [Fact]
    public void Data_section_takes_its_source_as_the_section_value_and_its_keys()
    {
        var config = new CanonicalRepresentation().CreateConfig("quick");
        ConfigBinder.Set(config, "data=fashion-mnist");
        ConfigBinder.Set(config, "data.n_train=500");
        ConfigBinder.Set(config, "data.classes=0,9");
        ConfigBinder.Set(config, "data.scaling=standardize");
        var data = ((CanonicalRepresentation.Config)config).Data;
        Assert.Equal(("fashion-mnist", 500, "standardize"), (data.Source, data.NTrain, data.Scaling));
        Assert.Equal([0, 9], data.Classes);
        Assert.Throws<ConfigException>(() => { ConfigBinder.Set(config, "data=cifar"); ConfigBinder.Validate(config); });
    }

    [Fact]
    public void Load_subsamples_stratified_keeps_classes_and_scales_with_the_training_fit()
    {
        _f.WriteFashionLike(nTrain: 60, nTest: 40);
        var data = new DataConfig { Source = "fashion-mnist", Dir = _f.Dir, NTrain = 8, NTest = 6, Classes = [3, 7], Scaling = "unit" };
        data.Validate();
        var loaded = data.Load(new Rng(5));
        Assert.Equal(_f.Dir, loaded.Directory);
        Assert.Equal(2, loaded.Classes);
        // 6 (train) and 4 (test) images per class in the fixture: 8 of the 12 and 6 of the 8, half from each class.
        Assert.Equal((8, 6), (loaded.TrainSet.Count, loaded.TestSet.Count));
        Assert.Equal([4, 4], loaded.TrainSet.ClassCounts());
        Assert.Equal([3, 3], loaded.TestSet.ClassCounts());
        Assert.All(loaded.TrainSet.Features.ToDoubles(), v => Assert.InRange(v, 0, 1));
        Assert.Equal(loaded.TrainSet.Count, loaded.Train.Count);
        Assert.Equal(12, loaded.InputDim);

        // The same stream draws the same sample; another draws another.
        var all = new DataConfig { Source = "fashion-mnist", Dir = _f.Dir, NTrain = 30, NTest = 0 };
        Assert.Equal(all.Load(new Rng(5)).TrainSet.Features.ToDoubles(), all.Load(new Rng(5)).TrainSet.Features.ToDoubles());
        Assert.NotEqual(all.Load(new Rng(5)).TrainSet.Features.ToDoubles(), all.Load(new Rng(6)).TrainSet.Features.ToDoubles());
        Assert.Equal([3, 3, 3, 3, 3, 3, 3, 3, 3, 3], all.Load(new Rng(5)).TrainSet.ClassCounts());
    }

    [Fact]
    public void A_sample_larger_than_the_source_is_a_one_line_error_naming_the_key()
    {
        _f.WriteFashionLike(nTrain: 30, nTest: 20);
        var data = new DataConfig { Source = "fashion-mnist", Dir = _f.Dir, NTrain = 31, NTest = 0 };
        OneLineMessage.Throws(() => data.Load(new Rng(1)), "data.n_train=31", "only 30");
    }

    [Fact]
    public void A_source_without_a_test_set_holds_out_a_fifth()
    {
        _f.WriteIris("iris.csv", 150);
        var loaded = new DataConfig { Source = "iris", Dir = _f.Dir, NTrain = 0, NTest = 0, Scaling = "standardize" }.Load(new Rng(2));
        Assert.Equal((120, 30), (loaded.TrainSet.Count, loaded.TestSet.Count));
    }

    [FashionMnistInstalledTheory]
    [MemberData(nameof(RealDataExperiments))]
    [Trait("Category", "RealData")]
    public void Real_data_variant_runs_and_states_its_claims(string id)
    {
        var exp = Registry.Get(id);
        string[] sets = ["data=fashion-mnist", "data.n_train=500", "data.n_test=200", .. Tiny[id]];
        var config = ExperimentRunner.ResolveConfig(exp, new RunRequest(id) { Profile = "full", Sets = sets });
        var ctx = new RunContext(1, "full", 1, MetricsWriter.InMemory());
        var claims = exp.Run(config, ctx);
        Assert.Equal(ClaimIds[id], claims.Select(c => c.Id));
        foreach (var c in claims) Assert.True(double.IsFinite(c.Measured), $"{c.Id}: measured {c.Measured} ({c.Details})");
        Assert.Contains("fashion-mnist (500 train / 200 test", claims[0].Statement);
        Assert.NotEmpty(ctx.Figures);
        Assert.Contains(ctx.Metrics.Rows, r => r.Step == 60);
    }
}
