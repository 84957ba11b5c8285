using System.Text.Json;

namespace Noether.Tests.Engine;

/// <summary>
/// The build asks the runtime to count calls towards optimised code from the start (Directory.Build.targets). Without
/// it an experiment's hot loops ran unoptimised for seconds, ten times longer with one CPU (bench/README.md).
/// </summary>
public class TieredCompilationTests
{
    private const string Option = "System.Runtime.TieredCompilation.CallCountingDelayMs";

    [Fact]
    public void The_cli_starts_counting_calls_without_a_delay()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "noether.runtimeconfig.json");
        using var config = JsonDocument.Parse(File.ReadAllText(path));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.True(properties.TryGetProperty(Option, out var delay), $"{path} has no {Option}");
        Assert.Equal(0, delay.GetInt32());
    }

    [Fact]
    public void The_test_process_runs_with_the_same_option() =>
        Assert.Equal("0", AppContext.GetData(Option)?.ToString());
}
