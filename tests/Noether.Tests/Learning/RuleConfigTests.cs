using Noether.Experiments;
using Noether.Learning.Rules;
using static Noether.Tests.Learning.RuleFixture;

namespace Noether.Tests.Learning;

public class RuleConfigTests
{
    private sealed class Host
    {
        public RuleConfig Rule { get; set; } = new();
    }

    [Fact]
    public void Set_rule_selects_the_rule_and_its_keys_bind()
    {
        var host = new Host();
        ConfigBinder.Set(host, "rule=kp");
        ConfigBinder.Set(host, "rule.l2=0.01");
        ConfigBinder.Validate(host);
        Assert.Equal("kp", host.Rule.Name);
        var stack = host.Rule.Build(Net(2, [4, 6, 2]), Streams(1));
        Assert.Equal("kp+l2", stack.Name);
        Assert.Equal([0.01, 0.01], stack.Find<PlasticFeedback<double>>()!.Decay);
    }

    [Fact]
    public void Unknown_rule_and_a_mask_without_feedback_are_config_errors_naming_the_key()
    {
        var host = new Host();
        ConfigBinder.Set(host, "rule=hebb");
        var e = Assert.Throws<ConfigException>(() => ConfigBinder.Validate(host));
        Assert.Contains("rule.name=hebb", e.Message);
        ConfigBinder.Set(host, "rule=dfa");
        ConfigBinder.Set(host, "rule.density=0.5");
        e = Assert.Throws<ConfigException>(() => ConfigBinder.Validate(host));
        Assert.Contains("rule.density", e.Message);
    }

    [Fact]
    public void Build_puts_the_pieces_in_canonical_order_with_per_member_overrides()
    {
        var rule = new RuleConfig { Name = "dendritic", Density = 0.5, ParameterNoise = 0.1, GradientNoise = 0.01, InputNoise = 0.02, L2 = 1e-3 };
        var stack = rule.Build(Net(3, [4, 6, 2]), Streams(1), new RuleConfig.PerMember { Coefficient = [1, -1, 0.3], ParameterNoise = [0, 0.1, 0.2] });
        Assert.Equal("input-noise+parameter-noise+dendritic+mask+gradient-noise+l2", stack.Name);
        Assert.Equal([1, -1, 0.3], stack.Find<PlasticFeedback<double>>()!.Coefficient);
        Assert.Equal([0, 0.1, 0.2], stack.Find<ParameterNoise<double>>()!.Sigma);
        var teacher = new RuleConfig { Name = "random-teacher" }.Build(Net(1, [4, 6, 2]), Streams(1));
        Assert.Equal("random-teacher+backprop", teacher.Name);
    }
}
