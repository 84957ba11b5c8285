using Noether.Experiments;

namespace Noether.Tests.Framework;

public class ConfigTests
{
    private static object Quick() => Registry.Get("noise-equilibrium").CreateConfig("quick");

    [Fact]
    public void Dotted_keys_set_typed_values()
    {
        var c = (NoiseEquilibrium.Config)Quick();
        ConfigBinder.Set(c, "balance.lr=0.05");
        ConfigBinder.Set(c, "seeds=4");
        Assert.Equal(0.05, c.Balance.Lr);
        Assert.Equal(4, c.Seeds);
    }

    [Fact]
    public void Unknown_key_names_the_key_and_lists_known_ones()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigBinder.Set(Quick(), "balance.learning_rate=0.1"));
        Assert.Contains("balance.learning_rate", e.Message);
        Assert.Contains("balance.lr", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("seeds=three", "an integer")]
    [InlineData("balance.lr=fast", "a number")]
    [InlineData("seeds=2.5", "an integer")]
    public void Wrong_type_names_key_value_and_expected_type(string set, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigBinder.Set(Quick(), set));
        Assert.Contains(set, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("seeds=0")]
    [InlineData("balance.lr=-1")]
    [InlineData("probe_every=0")]
    public void Out_of_range_is_rejected_by_validation(string set)
    {
        var c = Quick();
        ConfigBinder.Set(c, set);
        var e = Assert.Throws<ConfigException>(() => ConfigBinder.Validate(c));
        Assert.Contains(set, e.Message);
        Assert.Contains("out of range", e.Message);
    }

    [Fact]
    public void Cross_field_check_names_both_keys()
    {
        var c = Quick();
        ConfigBinder.Set(c, "balance.sgd_batch=1000");
        var e = Assert.Throws<ConfigException>(() => ConfigBinder.Validate(c));
        Assert.Contains("balance.sgd_batch=1000", e.Message);
        Assert.Contains("balance.samples", e.Message);
    }

    [Fact]
    public void Json_file_nested_or_dotted_then_set_overrides_it()
    {
        string path = Path.GetTempFileName();
        File.WriteAllText(path, """{"balance": {"lr": 0.03, "sgd_steps": 10}, "scale.steps": 7}""");
        var exp = Registry.Get("noise-equilibrium");
        var c = (NoiseEquilibrium.Config)ExperimentRunner.ResolveConfig(exp, new RunRequest(exp.Id) { ConfigFile = path, Sets = ["balance.lr=0.04"] });
        Assert.Equal(0.04, c.Balance.Lr);
        Assert.Equal(10, c.Balance.SgdSteps);
        Assert.Equal(7, c.Scale.Steps);
        File.WriteAllText(path, "{ not json");
        Assert.Throws<ConfigException>(() => ExperimentRunner.ResolveConfig(exp, new RunRequest(exp.Id) { ConfigFile = path }));
        File.Delete(path);
    }

    [Fact]
    public void Resolved_config_round_trips_through_json()
    {
        var c = Quick();
        ConfigBinder.Set(c, "balance.hidden=32");
        var json = ConfigBinder.ToJson(c);
        Assert.Equal(32, json["balance"]!["hidden"]!.GetValue<int>());
        Assert.Equal(20000, json["balance"]!["sgd_steps"]!.GetValue<int>());
    }

    [Fact]
    public void Profiles_differ_and_unknown_profile_is_rejected()
    {
        var exp = Registry.Get("noise-equilibrium");
        var quick = (NoiseEquilibrium.Config)exp.CreateConfig("quick");
        var full = (NoiseEquilibrium.Config)exp.CreateConfig("full");
        Assert.True(full.Seeds > quick.Seeds);
        Assert.Throws<ConfigException>(() => exp.CreateConfig("huge"));
    }

    [Fact]
    public void Claim_verdicts_are_computed_from_the_measurement()
    {
        Assert.True(Claim.AtMost("a", "s", 0.1, 0.2).Passed);
        Assert.False(Claim.AtMost("a", "s", 0.3, 0.2).Passed);
        Assert.True(Claim.AtLeast("a", "s", 5, 5).Passed);
        Assert.False(Claim.Within("a", "s", 1.3, 0.8, 1.25).Passed);
        Assert.False(Claim.AtLeast("a", "s", double.NaN, 0).Passed);
    }
}
