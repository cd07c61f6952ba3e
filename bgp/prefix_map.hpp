// PrefixMap<V>: a compact open-addressing hash map keyed by Prefix, for the Loc-RIB and the
// per-neighbor Adj-RIB-Out (100,000 routes must fit in a few MB: ~24-32 bytes a slot, no node
// allocations). Linear probing with backward-shift deletion (no tombstones), so lookups stay
// short after many withdrawals. Not thread-safe; iteration order is unspecified.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "bgp/types.hpp"

namespace vipd::bgp {

template <typename V> class PrefixMap
{
public:
    [[nodiscard]] std::size_t size() const { return size_; }
    [[nodiscard]] bool empty() const { return size_ == 0; }

    /// Pointer to the value for `p`, or nullptr.
    [[nodiscard]] V* find(const Prefix& p)
    {
        if (slots_.empty())
            return nullptr;
        for (std::size_t i = home(p);; i = next(i)) {
            Slot& s = slots_[i];
            if (!s.used())
                return nullptr;
            if (s.key == p)
                return &s.value;
        }
    }
    [[nodiscard]] const V* find(const Prefix& p) const
    {
        return const_cast<PrefixMap*>(this)->find(p);
    }

    /// Insert or overwrite; returns true when the key was new.
    bool put(const Prefix& p, V v)
    {
        if ((size_ + 1) * 4 > slots_.size() * 3)
            grow();
        for (std::size_t i = home(p);; i = next(i)) {
            Slot& s = slots_[i];
            if (!s.used()) {
                s.key = p;
                s.value = std::move(v);
                ++size_;
                return true;
            }
            if (s.key == p) {
                s.value = std::move(v);
                return false;
            }
        }
    }

    /// Remove `p`; returns the old value if it was present.
    std::optional<V> erase(const Prefix& p)
    {
        if (slots_.empty())
            return std::nullopt;
        std::size_t i = home(p);
        for (;; i = next(i)) {
            if (!slots_[i].used())
                return std::nullopt;
            if (slots_[i].key == p)
                break;
        }
        std::optional<V> old(std::move(slots_[i].value));
        // Backward-shift deletion: pull later members of the probe run into the hole.
        std::size_t hole = i;
        for (std::size_t j = next(i); slots_[j].used(); j = next(j)) {
            const std::size_t h = home(slots_[j].key);
            const bool movable = hole <= j ? (h <= hole || h > j) : (h <= hole && h > j);
            if (movable) {
                slots_[hole] = std::move(slots_[j]);
                hole = j;
            }
        }
        slots_[hole] = Slot{};
        --size_;
        return old;
    }

    void clear()
    {
        slots_.clear();
        size_ = 0;
    }

    /// Calls f(const Prefix&, V&) for every entry.
    template <typename F> void for_each(F&& f)
    {
        for (Slot& s : slots_)
            if (s.used())
                f(static_cast<const Prefix&>(s.key), s.value);
    }
    template <typename F> void for_each(F&& f) const
    {
        for (const Slot& s : slots_)
            if (s.used())
                f(s.key, s.value);
    }

private:
    // An empty slot has a prefix length no prefix can have (no separate flag: 24 bytes a slot
    // for a 4-byte value instead of 28).
    static constexpr std::uint8_t empty_length = 0xFF;
    struct Slot
    {
        Prefix key{Address{}, empty_length};
        V value{};
        [[nodiscard]] bool used() const { return key.length != empty_length; }
    };

    [[nodiscard]] std::size_t home(const Prefix& p) const
    {
        return std::hash<Prefix>{}(p) & (slots_.size() - 1);
    }
    [[nodiscard]] std::size_t next(std::size_t i) const { return (i + 1) & (slots_.size() - 1); }

    void grow()
    {
        std::vector<Slot> old = std::move(slots_);
        slots_.assign(old.empty() ? 16 : old.size() * 2, Slot{});
        size_ = 0;
        for (Slot& s : old)
            if (s.used())
                put(s.key, std::move(s.value));
    }

    std::vector<Slot> slots_;
    std::size_t size_ = 0;
};

} // namespace vipd::bgp
