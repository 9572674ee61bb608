// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The reads of Lido's WithdrawalQueueERC721 the lens makes, with the real
// queue's signatures (protocols.md §1.6).
interface IWithdrawalQueue {
    struct WithdrawalRequestStatus {
        uint256 amountOfStETH;
        uint256 amountOfShares;
        address owner;
        uint256 timestamp;
        bool isFinalized;
        bool isClaimed;
    }

    function getWithdrawalRequests(address _owner) external view returns (uint256[] memory requestsIds);
    function getWithdrawalStatus(uint256[] calldata _requestIds)
        external
        view
        returns (WithdrawalRequestStatus[] memory statuses);
    function getLastFinalizedRequestId() external view returns (uint256);
    function getLastCheckpointIndex() external view returns (uint256);
    function findCheckpointHints(uint256[] calldata _requestIds, uint256 _firstIndex, uint256 _lastIndex)
        external
        view
        returns (uint256[] memory hintIds);
    function getClaimableEther(uint256[] calldata _requestIds, uint256[] calldata _hints)
        external
        view
        returns (uint256[] memory claimableEthValues);
    function isPaused() external view returns (bool);
    function isBunkerModeActive() external view returns (bool);
}

// The one read of stETH the lens makes (protocols.md §1).
interface IStETH {
    function getBufferedEther() external view returns (uint256);
}

/// LidoQueueLens is never deployed. The wallet runs its creation code with
/// eth_call (a call with no `to`): the constructor makes the queue's
/// dependent reads (the ids, their statuses, the checkpoint hints of the
/// finalized ones, then the ETH each claimable one pays) inside one call,
/// and reverts with all of it as QueueState, so what took three round trips
/// takes one. A revert rather than a return: the answer of a creation is
/// stored as code, which EIP-170 caps at 24 KiB, while revert data has no cap
/// but gas. A read that fails inside reverts with the queue's own error data.
contract LidoQueueLens {
    // Queue is the state the wallet's ETA model starts from, at the block the
    // lens ran in.
    struct Queue {
        uint256 blockNumber;
        uint256 timestamp;
        uint256 lastFinalized;
        bool paused;
        bool bunker;
        uint256 buffered;
    }

    error QueueState(
        Queue queue,
        uint256[] totals,
        uint256[] ids,
        IWithdrawalQueue.WithdrawalRequestStatus[] statuses,
        uint256[] hints,
        uint256[] claimable
    );

    /// @param queue the WithdrawalQueueERC721
    /// @param stETH Lido's stETH, for the ether it buffers
    /// @param owners lists the requests of each owner: limit of them from
    ///        offset on, in the queue's order (totals says how many each
    ///        has); ids is then ignored
    /// @param ids the requests to read when owners is empty, ascending
    constructor(
        IWithdrawalQueue queue,
        IStETH stETH,
        address[] memory owners,
        uint256[] memory ids,
        uint256 offset,
        uint256 limit
    ) {
        uint256[] memory totals = new uint256[](owners.length);
        if (owners.length > 0) {
            ids = list(queue, owners, totals, offset, limit);
        }
        IWithdrawalQueue.WithdrawalRequestStatus[] memory statuses;
        if (ids.length > 0) {
            statuses = queue.getWithdrawalStatus(ids);
        }
        (uint256[] memory hints, uint256[] memory claimable) = claims(queue, ids, statuses);
        revert QueueState(state(queue, stETH), totals, ids, statuses, hints, claimable);
    }

    // state is the queue's state now.
    function state(IWithdrawalQueue queue, IStETH stETH) private view returns (Queue memory q) {
        q.blockNumber = block.number;
        q.timestamp = block.timestamp;
        q.lastFinalized = queue.getLastFinalizedRequestId();
        q.paused = queue.isPaused();
        q.bunker = queue.isBunkerModeActive();
        q.buffered = stETH.getBufferedEther();
    }

    // list returns the ids of owners' requests, limit per owner from offset
    // on, ascending, and sets each owner's count in totals.
    function list(
        IWithdrawalQueue queue,
        address[] memory owners,
        uint256[] memory totals,
        uint256 offset,
        uint256 limit
    ) private view returns (uint256[] memory ids) {
        uint256[][] memory pages = new uint256[][](owners.length);
        uint256 n;
        for (uint256 k; k < owners.length; k++) {
            uint256[] memory all = queue.getWithdrawalRequests(owners[k]);
            totals[k] = all.length;
            uint256 end = offset >= all.length ? offset : (limit > all.length - offset ? all.length : offset + limit);
            pages[k] = new uint256[](end - offset);
            for (uint256 i = offset; i < end; i++) {
                pages[k][i - offset] = all[i];
            }
            n += end - offset;
        }
        ids = new uint256[](n);
        uint256 next;
        for (uint256 k; k < owners.length; k++) {
            for (uint256 i; i < pages[k].length; i++) {
                ids[next++] = pages[k][i];
            }
        }
        // The queue keeps a set per owner, in no order; hint search needs
        // ids ascending. An id has one owner, so there are no duplicates.
        sort(ids, 0, int256(n) - 1);
    }

    // claims returns, for each of ids (ascending), its checkpoint hint and
    // the ETH it pays if claimable now; zero where there is none.
    function claims(
        IWithdrawalQueue queue,
        uint256[] memory ids,
        IWithdrawalQueue.WithdrawalRequestStatus[] memory statuses
    ) private view returns (uint256[] memory hints, uint256[] memory claimable) {
        hints = new uint256[](ids.length);
        claimable = new uint256[](ids.length);
        // Only finalized ids may be searched: after a NOT_FOUND the real queue
        // reverts InvalidRequestIdRange for the next id. Ids are ascending, so
        // the finalized ones are a prefix.
        uint256 lastFinalized = queue.getLastFinalizedRequestId();
        uint256 finalized;
        while (finalized < ids.length && ids[finalized] <= lastFinalized) {
            finalized++;
        }
        uint256 lastCheckpoint = queue.getLastCheckpointIndex();
        if (finalized == 0 || lastCheckpoint == 0) {
            return (hints, claimable);
        }
        uint256[] memory search = new uint256[](finalized);
        for (uint256 i; i < finalized; i++) {
            search[i] = ids[i];
        }
        uint256[] memory found = queue.findCheckpointHints(search, 1, lastCheckpoint);
        uint256 n;
        for (uint256 i; i < finalized; i++) {
            hints[i] = found[i];
            if (found[i] != 0 && statuses[i].isFinalized && !statuses[i].isClaimed) {
                n++;
            }
        }
        if (n == 0) {
            return (hints, claimable);
        }
        uint256[] memory claimIds = new uint256[](n);
        uint256[] memory claimHints = new uint256[](n);
        uint256[] memory slot = new uint256[](n);
        uint256 k;
        for (uint256 i; i < finalized; i++) {
            if (found[i] != 0 && statuses[i].isFinalized && !statuses[i].isClaimed) {
                claimIds[k] = ids[i];
                claimHints[k] = found[i];
                slot[k] = i;
                k++;
            }
        }
        uint256[] memory eth = queue.getClaimableEther(claimIds, claimHints);
        for (uint256 j; j < n; j++) {
            claimable[slot[j]] = eth[j];
        }
    }

    // sort orders a[lo..hi] ascending (quicksort, in memory).
    function sort(uint256[] memory a, int256 lo, int256 hi) private pure {
        while (lo < hi) {
            uint256 pivot = a[uint256(lo + (hi - lo) / 2)];
            int256 i = lo;
            int256 j = hi;
            while (i <= j) {
                while (a[uint256(i)] < pivot) i++;
                while (pivot < a[uint256(j)]) j--;
                if (i <= j) {
                    (a[uint256(i)], a[uint256(j)]) = (a[uint256(j)], a[uint256(i)]);
                    i++;
                    j--;
                }
            }
            // Recurse into the smaller side, loop on the larger: depth stays log n.
            if (j - lo < hi - i) {
                sort(a, lo, j);
                lo = i;
            } else {
                sort(a, i, hi);
                hi = j;
            }
        }
    }
}
