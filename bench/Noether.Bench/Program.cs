using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Running;
using Noether.Bench;
using Noether.Tensors;

// `step`: one training step of a named workload timed with a stopwatch, printed as one JSON line
// (bench/run.sh alternates this with the PyTorch script). `micro`: BenchmarkDotNet kernels.
if (args.Length > 0 && args[0] == "micro")
{
    BenchmarkSwitcher.FromAssembly(typeof(StepWorkload).Assembly).Run(args[1..]);
    return 0;
}
if (args.Length > 1 && args[0] == "alloc")
{
    // Asserts the issue's "no allocation per training step" for 1 and 2 threads: exit 1 if any phase allocates.
    bool clean = true;
    foreach (int t in new[] { 1, 2 })
    {
        var (report, bytes) = AllocationProbe.Measure(args[1], t);
        Console.WriteLine($"{args[1]} threads={t}: {report}");
        clean &= bytes == 0;
    }
    return clean ? 0 : 1;
}
if (args.Length == 1 && args[0] == "peak")
{
    Console.WriteLine(FmaPeak.Measure());
    return 0;
}
if (args.Length == 1 && args[0] == "cores")
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{{\"impl\":\"core-round-trip\",\"round_trip_ns\":{CoreLatency.RoundTripNs():0}}}"));
    return 0;
}
if (args.Length == 6 && args[0] == "gemm")
{
    Console.WriteLine(GemmTiming.Measure(args[1..]));
    return 0;
}
if (args.Length == 0 || args[0] != "step")
{
    Console.Error.WriteLine("usage: Noether.Bench step --workload a|b|c [--threads N] [--warmup W] [--steps S] | gemm M N K TRANS(nn|nt|tn|tt) REPS | alloc a|b|c (exit 1 if a step allocates) | peak | cores | micro [BenchmarkDotNet args]");
    return 2;
}
string workload = "a";
int threads = 1, warmup = 200, steps = 2000;
for (int i = 1; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--workload": workload = args[i + 1]; break;
        case "--threads": threads = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--warmup": warmup = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--steps": steps = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
    }
}
var w = StepWorkload.Create(workload, threads);
// Warm up for the requested steps and at least 2 s, so tiered JIT has promoted the hot loops (with a
// short step-count warmup the first measured steps still ran tier-0 code: 150 µs instead of 43 µs for (a)).
var warm = Stopwatch.StartNew();
for (int i = 0; i < warmup || warm.Elapsed.TotalSeconds < 2; i++) w.Step();
// With several threads, how far apart the CPUs are just before and just after the timed steps (see CoreLatency).
double roundTripBefore = threads > 1 ? CoreLatency.RoundTripNs() : double.NaN;
var times = new double[steps];
// Allocation on every thread (the worker pool's too); CPU time is what the process got, which a loaded
// machine distorts far less than wall time.
long allocated = GC.GetTotalAllocatedBytes(precise: true);
using var self = Process.GetCurrentProcess();
var cpu0 = self.TotalProcessorTime;
for (int i = 0; i < steps; i++)
{
    long t0 = Stopwatch.GetTimestamp();
    w.Step();
    times[i] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
}
allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
self.Refresh();
double cpuPerStep = (self.TotalProcessorTime - cpu0).TotalMicroseconds / steps;
Array.Sort(times);
string cores = threads > 1 ? string.Create(CultureInfo.InvariantCulture, $",\"core_round_trip_ns\":[{roundTripBefore:0},{CoreLatency.RoundTripNs():0}]") : "";
double Q(double q) => times[(int)Math.Min(times.Length - 1, Math.Round(q * (times.Length - 1)))];
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{{\"impl\":\"noether\",\"workload\":\"{workload}\",\"threads\":{threads},\"min_us\":{times[0]:0.0},\"median_us\":{Q(0.5):0.0},\"p10_us\":{Q(0.1):0.0},\"p90_us\":{Q(0.9):0.0},\"cpu_us_per_step\":{cpuPerStep:0.0},\"peak_rss_mb\":{self.PeakWorkingSet64 / 1048576.0:0.0},\"alloc_bytes_per_step\":{(double)allocated / steps:0.0},\"simd\":{(int)ProcessVectorWidth.Current},\"keeps_gradients\":{(w.KeepsGradients ? "true" : "false")},\"dotnet\":\"{Environment.Version}\"{cores}}}"));
return 0;
