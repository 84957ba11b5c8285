using System.Runtime.Intrinsics;

namespace Noether.Tensors;

/// <summary>
/// SIMD register width of the GEMM micro-kernels. Every width computes each output element with the
/// same FMA chain, so the choice changes speed, never a result.
/// </summary>
public enum VectorWidth
{
    /// <summary>AVX2-sized kernels (<see cref="Vector256{T}"/>).</summary>
    Bits256 = 256,
    /// <summary>AVX-512-sized kernels (<see cref="Vector512{T}"/>).</summary>
    Bits512 = 512,
}

/// <summary>The process-wide kernel width: the widest the CPU accelerates, or <c>NOETHER_SIMD</c> (256 or 512) when set.</summary>
public static class ProcessVectorWidth
{
    /// <summary>Name of the environment variable that pins the width for the whole process.</summary>
    public const string EnvironmentVariable = "NOETHER_SIMD";

    private static VectorWidth? _chosen;

    /// <summary>The width chosen once for this process; a bad <c>NOETHER_SIMD</c> value throws <see cref="ArgumentException"/> on every use.</summary>
    public static VectorWidth Current => _chosen ??= Choose(Environment.GetEnvironmentVariable(EnvironmentVariable));

    /// <summary>Whether the CPU runs kernels of this width in hardware (otherwise they are emulated, correct but slow).</summary>
    public static bool IsAccelerated(VectorWidth width) => width switch
    {
        VectorWidth.Bits256 => Vector256.IsHardwareAccelerated,
        VectorWidth.Bits512 => Vector512.IsHardwareAccelerated,
        _ => false,
    };

    /// <summary>Parses a <c>NOETHER_SIMD</c> value (null or empty means the widest accelerated width).</summary>
    public static VectorWidth Choose(string? setting)
    {
        if (string.IsNullOrWhiteSpace(setting))
            return Vector512.IsHardwareAccelerated ? VectorWidth.Bits512 : VectorWidth.Bits256;
        var width = setting.Trim() switch
        {
            "256" => VectorWidth.Bits256,
            "512" => VectorWidth.Bits512,
            _ => throw new ArgumentException($"{EnvironmentVariable}='{setting}': expected 256 or 512 (or unset for the widest the CPU has)"),
        };
        if (!IsAccelerated(width))
            throw new ArgumentException($"{EnvironmentVariable}={setting}: this CPU has no hardware {(int)width}-bit vectors; use 256 or unset it");
        return width;
    }
}
