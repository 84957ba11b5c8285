using System.Globalization;

namespace Noether.Runs;

/// <summary>
/// The most memory one array or one run may ask for. Readers refuse a file whose header promises more,
/// and configs whose estimated tensors exceed it are refused before a run starts. The default is half of
/// the memory available to the process; the environment variable <see cref="Variable"/> (bytes, or a
/// number with K, M, G or T) sets another.
/// </summary>
public static class MemoryLimit
{
    /// <summary>Environment variable overriding the limit, e.g. NOETHER_MAX_MEMORY=8G.</summary>
    public const string Variable = "NOETHER_MAX_MEMORY";

    /// <summary>The limit in bytes.</summary>
    public static long Bytes => Parse(Environment.GetEnvironmentVariable(Variable)) ?? Default;

    /// <summary>Half of the memory available to this process (physical memory or a container's limit).</summary>
    public static long Default => Math.Max(1L << 28, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2);

    /// <summary>A size such as "512M", "8G" or "1000000" in bytes; null for null or empty; a one-line error otherwise.</summary>
    public static long? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        string t = text.Trim();
        long unit = char.ToUpperInvariant(t[^1]) switch { 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, 'T' => 1L << 40, _ => 1 };
        if (unit > 1) t = t[..^1];
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !(v > 0) || v * unit > long.MaxValue / 2)
            throw new FormatException($"{Variable}={text}: expected a positive size in bytes, or a number followed by K, M, G or T");
        return (long)(v * unit);
    }

    /// <summary>Human-readable size for messages: "1.5 GB".</summary>
    public static string Text(double bytes) => bytes switch
    {
        >= 1L << 40 => (bytes / (1L << 40)).ToString("0.#", CultureInfo.InvariantCulture) + " TB",
        >= 1L << 30 => (bytes / (1L << 30)).ToString("0.#", CultureInfo.InvariantCulture) + " GB",
        >= 1L << 20 => (bytes / (1L << 20)).ToString("0.#", CultureInfo.InvariantCulture) + " MB",
        _ => (bytes / 1024).ToString("0.#", CultureInfo.InvariantCulture) + " KB",
    };
}
