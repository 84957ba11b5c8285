using System.Reflection;
using Noether.Experiments;
using Noether.Learning;
using Noether.Nn;

namespace Noether.Tests.Framework;

/// <summary>
/// The self-describing registries of initialisers, optimisers, schedules and activations (docs/EXTENDING.md): each name
/// declared once, described, used by config validation, the builders and docs/reference.md (the reference-page test).
/// </summary>
public class DefinitionRegistryTests
{
    private static void Unique<TDefinition>(int atLeast) where TDefinition : Definition
    {
        var all = Definitions<TDefinition>.All;
        Assert.True(all.Count >= atLeast, $"{typeof(TDefinition).Name}: {all.Count} definitions");
        var names = Definitions<TDefinition>.Names.ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.All(all, d => Assert.False(string.IsNullOrWhiteSpace(d.Description), d.Name));
        string page = ReferencePage.Markdown();
        Assert.All(all, d => Assert.Contains($"| `{(d is ScheduleDefinition s ? s.Syntax : d.Name)}` |", page));
    }

    [Fact]
    public void Every_registry_has_unique_described_names_on_the_reference_page()
    {
        Unique<InitializerDefinition>(6);
        Unique<OptimizerDefinition>(4);
        Unique<ScheduleDefinition>(3);
        Unique<ActivationDefinition>(6);
    }

    [Fact]
    public void Docs_probe_page_names_every_registered_probe()
    {
        string page = File.ReadAllText(Path.Combine(DocumentationTests.FindRoot(), "docs", "probes.md"));
        Assert.All(Noether.Probes.ProbeRegistry.Names, name => Assert.Contains($"`{name}`", page));
    }

    [Fact]
    public void Builders_read_the_registries()
    {
        foreach (var d in Definitions<InitializerDefinition>.All)
            foreach (var name in d.Aliases.Prepend(d.Name)) Assert.Equal(d.Scheme, Initializer.Parse(name));
        foreach (var name in Activations.Names) Assert.NotNull(Activations.Create<double>(name, 2, 3));
        Assert.IsType<Adam<double>>(Optimizers.Create<double>("adamw", 1, 0.1, 0.01));
        Assert.Equal(0.9, Assert.IsType<Sgd<double>>(Optimizers.Create<double>("momentum", 1, 0.1, 0)).Momentum);
        Assert.Equal(new ProductSchedule(new WarmupSchedule(10), new StepSchedule(100, 0.5)), Schedule.Parse("warmup:10+step:100:0.5"));
        var e = Assert.Throws<ArgumentException>(() => Schedule.Parse("cosine:10"));
        Assert.Contains(string.Join(", ", Definitions<ScheduleDefinition>.All.Select(d => d.Syntax)), e.Message);
        Assert.Contains("kaiming", Assert.Throws<ArgumentException>(() => Initializer.Parse("orthogonal")).Message);
    }

    [Fact]
    public void Config_validation_accepts_exactly_the_registered_names()
    {
        var model = typeof(Study.ModelConfig);
        Assert.Equal(Definitions<ActivationDefinition>.Names, model.GetProperty(nameof(Study.ModelConfig.Activation))!.GetCustomAttribute<ParamAttribute>()!.Allowed);
        Assert.Equal(Definitions<InitializerDefinition>.Names, model.GetProperty(nameof(Study.ModelConfig.Init))!.GetCustomAttribute<ParamAttribute>()!.Allowed);
        var optimizer = new OptimizerConfig { Schedule = "cosine" };
        var e = Assert.Throws<ConfigException>(optimizer.Validate);
        Assert.Contains(Schedule.Syntaxes, e.Message);
    }
}
