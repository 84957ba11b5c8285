using System.Diagnostics;
using System.Globalization;
using Noether.Tensors;

namespace Noether.Bench;

/// <summary>
/// One float GEMM shape timed alone: the fastest of REPS calls (the least disturbed by other processes)
/// and the median, as µs and GFLOP/s (2·m·n·k floating-point operations per call).
/// </summary>
public static class GemmTiming
{
    public static string Measure(string[] args)
    {
        int m = int.Parse(args[0], CultureInfo.InvariantCulture), n = int.Parse(args[1], CultureInfo.InvariantCulture), k = int.Parse(args[2], CultureInfo.InvariantCulture);
        bool ta = args[3][0] == 't', tb = args[3][1] == 't';
        int reps = int.Parse(args[4], CultureInfo.InvariantCulture);
        var rng = new Rng(1);
        var a = new float[m * k]; var b = new float[k * n]; var c = new float[m * n];
        rng.FillNormal<float>(a, 0, 1); rng.FillNormal<float>(b, 0, 1);
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed.TotalSeconds < 1) Gemm.Multiply<float>(ta, tb, m, n, k, a, b, c);
        var times = new double[reps];
        for (int i = 0; i < reps; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            Gemm.Multiply<float>(ta, tb, m, n, k, a, b, c);
            times[i] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
        }
        Array.Sort(times);
        double flop = 2.0 * m * n * k;
        return string.Create(CultureInfo.InvariantCulture,
            $"gemm {m}x{n}x{k} {args[3]}: min {times[0]:0.0} us ({flop / times[0] / 1e3:0.0} GFLOP/s), median {times[reps / 2]:0.0} us ({flop / times[reps / 2] / 1e3:0.0} GFLOP/s)");
    }
}
