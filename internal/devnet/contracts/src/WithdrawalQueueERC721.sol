// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

// Model of Lido's WithdrawalQueueERC721 (unstETH) for the stakewallet devnet.
//
// The public interface (function signatures, the WithdrawalRequestStatus
// tuple, events and custom errors) is the one of lidofinance/core
// contracts/0.8.9/WithdrawalQueue.sol, WithdrawalQueueBase.sol and
// WithdrawalQueueERC721.sol. Behaviour follows the real queue where a client
// can observe it:
//   - request ids start at 1; each request stores cumulative stETH and shares,
//     so a request's amount is the difference to its predecessor;
//   - every finalization appends a checkpoint (fromRequestId, maxShareRate);
//     a request's claimable ether is min(amountOfStETH, shares * rate / 1e27)
//     with the rate of the checkpoint its id falls into (the discount rule);
//   - hints are checkpoint indices, 0 means NOT_FOUND and is rejected by claims;
//   - the NFT is the request: Transfer(0, owner, id) on request and
//     Transfer(owner, 0, id) on claim; claimed requests have no owner.
//
// MODEL-ONLY parts (not in the real queue):
//   - constructor(wstETH, admin) instead of a proxy initialize(); the queue
//     starts resumed (the real one starts paused until governance resumes it);
//   - finalize(uint256,uint256) has the real signature but only the stETH
//     contract may call it (the real FINALIZE_ROLE is granted to Lido);
//   - pauseFor/pauseUntil/resume have the real signatures but are restricted to
//     the admin (the devnet oracle) instead of PAUSE_ROLE/RESUME_ROLE;
//   - calculateFinalization(uint256,uint256,uint256): an on-chain stand-in for
//     the off-chain part of the real oracle (calculateFinalizationBatches +
//     prefinalize), used by Lido.handleOracleReport.

interface IStETHForQueue {
    function getSharesByPooledEth(uint256 _ethAmount) external view returns (uint256);
    function transferFrom(address _sender, address _recipient, uint256 _amount) external returns (bool);
    function permit(address _owner, address _spender, uint256 _value, uint256 _deadline, uint8 _v, bytes32 _r, bytes32 _s)
        external;
}

interface IWstETHForQueue {
    function stETH() external view returns (address);
    function unwrap(uint256 _wstETHAmount) external returns (uint256);
    function transferFrom(address _sender, address _recipient, uint256 _amount) external returns (bool);
    function permit(address owner, address spender, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external;
}

interface IERC721ReceiverModel {
    function onERC721Received(address operator, address from, uint256 tokenId, bytes calldata data)
        external
        returns (bytes4);
}

contract WithdrawalQueueERC721 {
    // ---- constants (real values) ----
    uint256 public constant MIN_STETH_WITHDRAWAL_AMOUNT = 100;
    uint256 public constant MAX_STETH_WITHDRAWAL_AMOUNT = 1000 * 1e18;
    uint256 public constant BUNKER_MODE_DISABLED_TIMESTAMP = type(uint256).max;
    uint256 public constant PAUSE_INFINITELY = type(uint256).max;
    uint256 internal constant E27_PRECISION_BASE = 1e27;
    uint256 internal constant NOT_FOUND = 0;
    /// Bound on requests finalized per report, so a report always fits in a block.
    uint256 internal constant MAX_REQUESTS_PER_REPORT = 200;

    string public constant name = "Lido: stETH Withdrawal NFT";
    string public constant symbol = "unstETH";

    IStETHForQueue public immutable STETH;
    IWstETHForQueue public immutable WSTETH;
    address internal immutable ADMIN;

    struct WithdrawalRequest {
        uint128 cumulativeStETH;
        uint128 cumulativeShares;
        address owner;
        uint40 timestamp;
        bool claimed;
    }

    struct Checkpoint {
        uint256 fromRequestId;
        uint256 maxShareRate;
    }

    /// The tuple returned by getWithdrawalStatus (real field names and order).
    struct WithdrawalRequestStatus {
        uint256 amountOfStETH;
        uint256 amountOfShares;
        address owner;
        uint256 timestamp;
        bool isFinalized;
        bool isClaimed;
    }

    mapping(uint256 => WithdrawalRequest) private queue;
    mapping(uint256 => Checkpoint) private checkpoints;
    uint256 private lastRequestId;
    uint256 private lastFinalizedRequestId;
    uint256 private lastCheckpointIndex;
    uint256 private lockedEtherAmount;
    uint256 private resumeSinceTimestamp;

    // Owner -> request ids, an enumerable set with swap-and-pop removal (the
    // order getWithdrawalRequests returns, as OpenZeppelin's EnumerableSet).
    mapping(address => uint256[]) private ownerRequests;
    mapping(address => mapping(uint256 => uint256)) private ownerRequestIndex; // 1-based

    mapping(uint256 => address) private tokenApprovals;
    mapping(address => mapping(address => bool)) private operatorApprovals;

    // ---- events (real signatures) ----
    event WithdrawalRequested(
        uint256 indexed requestId,
        address indexed requestor,
        address indexed owner,
        uint256 amountOfStETH,
        uint256 amountOfShares
    );
    event WithdrawalsFinalized(
        uint256 indexed from, uint256 indexed to, uint256 amountOfETHLocked, uint256 sharesToBurn, uint256 timestamp
    );
    event WithdrawalClaimed(
        uint256 indexed requestId, address indexed owner, address indexed receiver, uint256 amountOfETH
    );
    event Transfer(address indexed from, address indexed to, uint256 indexed tokenId);
    event Approval(address indexed owner, address indexed approved, uint256 indexed tokenId);
    event ApprovalForAll(address indexed owner, address indexed operator, bool approved);
    event BatchMetadataUpdate(uint256 _fromTokenId, uint256 _toTokenId);
    event Paused(uint256 duration);
    event Resumed();

    // ---- errors (real signatures) ----
    error RequestAmountTooSmall(uint256 _amountOfStETH);
    error RequestAmountTooLarge(uint256 _amountOfStETH);
    error RequestIdsNotSorted();
    error ZeroRecipient();
    error ArraysLengthMismatch(uint256 _firstArrayLength, uint256 _secondArrayLength);
    error AmountTooLarge(uint256 _amount);
    error ZeroShareRate();
    error TooMuchEtherToFinalize(uint256 sent, uint256 maxExpected);
    error NotOwner(address _sender, address _owner);
    error InvalidRequestId(uint256 _requestId);
    error InvalidRequestIdRange(uint256 startId, uint256 endId);
    error RequestNotFoundOrNotFinalized(uint256 _requestId);
    error NotEnoughEther();
    error RequestAlreadyClaimed(uint256 _requestId);
    error InvalidHint(uint256 _hint);
    error CantSendValueRecipientMayHaveReverted();
    error ZeroPauseDuration();
    error PausedExpected();
    error ResumedExpected();
    error PauseUntilMustBeInFuture();
    error ApprovalToOwner();
    error ApproveToCaller();
    error NotOwnerOrApprovedForAll(address sender);
    error NotOwnerOrApproved(address sender);
    error TransferFromIncorrectOwner(address from, address realOwner);
    error TransferToZeroAddress();
    error TransferFromZeroAddress();
    error TransferToThemselves();
    error TransferToNonIERC721Receiver(address);
    error InvalidOwnerAddress(address);
    /// MODEL-ONLY: a caller without the role the real contract checks via AccessControl.
    error AccessDenied(address sender);

    constructor(address _wstETH, address _admin) {
        WSTETH = IWstETHForQueue(_wstETH);
        STETH = IStETHForQueue(IWstETHForQueue(_wstETH).stETH());
        ADMIN = _admin;
        // Sentinel request 0: cumulative sums start at zero, it is never
        // claimable, and its timestamp marks the queue's creation.
        queue[0] = WithdrawalRequest(0, 0, address(0), uint40(block.timestamp), true);
    }

    // =====================================================================
    // Requests
    // =====================================================================

    /// Locks stETH (needs an allowance) and creates one request per amount.
    function requestWithdrawals(uint256[] calldata _amounts, address _owner)
        public
        returns (uint256[] memory requestIds)
    {
        _checkResumed();
        if (_owner == address(0)) _owner = msg.sender;
        requestIds = new uint256[](_amounts.length);
        for (uint256 i = 0; i < _amounts.length; ++i) {
            _checkWithdrawalRequestAmount(_amounts[i]);
            STETH.transferFrom(msg.sender, address(this), _amounts[i]);
            requestIds[i] = _enqueue(_amounts[i], STETH.getSharesByPooledEth(_amounts[i]), _owner);
        }
    }

    /// Locks wstETH (needs an allowance), unwraps it and creates one request
    /// per amount; the limits apply to the unwrapped stETH.
    function requestWithdrawalsWstETH(uint256[] calldata _amounts, address _owner)
        public
        returns (uint256[] memory requestIds)
    {
        _checkResumed();
        if (_owner == address(0)) _owner = msg.sender;
        requestIds = new uint256[](_amounts.length);
        for (uint256 i = 0; i < _amounts.length; ++i) {
            WSTETH.transferFrom(msg.sender, address(this), _amounts[i]);
            uint256 amountOfStETH = WSTETH.unwrap(_amounts[i]);
            _checkWithdrawalRequestAmount(amountOfStETH);
            requestIds[i] = _enqueue(amountOfStETH, STETH.getSharesByPooledEth(amountOfStETH), _owner);
        }
    }

    /// ERC-2612 permit data (WithdrawalQueue.PermitInput).
    struct PermitInput {
        uint256 value;
        uint256 deadline;
        uint8 v;
        bytes32 r;
        bytes32 s;
    }

    /// requestWithdrawals with stETH's permit instead of a standing allowance.
    function requestWithdrawalsWithPermit(uint256[] calldata _amounts, address _owner, PermitInput calldata _permit)
        external
        returns (uint256[] memory requestIds)
    {
        STETH.permit(msg.sender, address(this), _permit.value, _permit.deadline, _permit.v, _permit.r, _permit.s);
        return requestWithdrawals(_amounts, _owner);
    }

    /// requestWithdrawalsWstETH with wstETH's permit.
    function requestWithdrawalsWstETHWithPermit(
        uint256[] calldata _amounts,
        address _owner,
        PermitInput calldata _permit
    ) external returns (uint256[] memory requestIds) {
        WSTETH.permit(msg.sender, address(this), _permit.value, _permit.deadline, _permit.v, _permit.r, _permit.s);
        return requestWithdrawalsWstETH(_amounts, _owner);
    }

    function getWithdrawalRequests(address _owner) external view returns (uint256[] memory requestsIds) {
        return ownerRequests[_owner];
    }

    function getWithdrawalStatus(uint256[] calldata _requestIds)
        external
        view
        returns (WithdrawalRequestStatus[] memory statuses)
    {
        statuses = new WithdrawalRequestStatus[](_requestIds.length);
        for (uint256 i = 0; i < _requestIds.length; ++i) {
            uint256 id = _requestIds[i];
            if (id == 0 || id > lastRequestId) revert InvalidRequestId(id);
            WithdrawalRequest memory request = queue[id];
            WithdrawalRequest memory prev = queue[id - 1];
            statuses[i] = WithdrawalRequestStatus(
                request.cumulativeStETH - prev.cumulativeStETH,
                request.cumulativeShares - prev.cumulativeShares,
                request.owner,
                request.timestamp,
                id <= lastFinalizedRequestId,
                request.claimed
            );
        }
    }

    /// Claimable ether per request; 0 when not finalized or already claimed.
    function getClaimableEther(uint256[] calldata _requestIds, uint256[] calldata _hints)
        external
        view
        returns (uint256[] memory claimableEthValues)
    {
        claimableEthValues = new uint256[](_requestIds.length);
        for (uint256 i = 0; i < _requestIds.length; ++i) {
            uint256 id = _requestIds[i];
            if (id == 0 || id > lastRequestId) revert InvalidRequestId(id);
            if (id > lastFinalizedRequestId || queue[id].claimed) continue;
            claimableEthValues[i] = _calculateClaimableEther(id, _hints[i]);
        }
    }

    function findCheckpointHints(uint256[] calldata _requestIds, uint256 _firstIndex, uint256 _lastIndex)
        external
        view
        returns (uint256[] memory hintIds)
    {
        hintIds = new uint256[](_requestIds.length);
        uint256 prevRequestId = 0;
        for (uint256 i = 0; i < _requestIds.length; ++i) {
            if (_requestIds[i] < prevRequestId) revert RequestIdsNotSorted();
            hintIds[i] = _findCheckpointHint(_requestIds[i], _firstIndex, _lastIndex);
            // As the real queue: the next search starts at this hint, even
            // NOT_FOUND (0), so an id after an unfinalized one reverts
            // InvalidRequestIdRange(0, last). Clients ask for finalized ids only.
            _firstIndex = hintIds[i];
            prevRequestId = _requestIds[i];
        }
    }

    function claimWithdrawalsTo(uint256[] calldata _requestIds, uint256[] calldata _hints, address _recipient)
        external
    {
        if (_recipient == address(0)) revert ZeroRecipient();
        if (_requestIds.length != _hints.length) revert ArraysLengthMismatch(_requestIds.length, _hints.length);
        for (uint256 i = 0; i < _requestIds.length; ++i) {
            _claim(_requestIds[i], _hints[i], _recipient);
        }
    }

    function claimWithdrawals(uint256[] calldata _requestIds, uint256[] calldata _hints) external {
        if (_requestIds.length != _hints.length) revert ArraysLengthMismatch(_requestIds.length, _hints.length);
        for (uint256 i = 0; i < _requestIds.length; ++i) {
            _claim(_requestIds[i], _hints[i], msg.sender);
        }
    }

    /// Searches the hint on-chain (the real contract warns this can run out of gas).
    function claimWithdrawal(uint256 _requestId) external {
        _claim(_requestId, _findCheckpointHint(_requestId, 1, lastCheckpointIndex), msg.sender);
    }

    function getLastRequestId() external view returns (uint256) {
        return lastRequestId;
    }

    function getLastFinalizedRequestId() external view returns (uint256) {
        return lastFinalizedRequestId;
    }

    function getLastCheckpointIndex() external view returns (uint256) {
        return lastCheckpointIndex;
    }

    function getLockedEtherAmount() external view returns (uint256) {
        return lockedEtherAmount;
    }

    function unfinalizedRequestNumber() external view returns (uint256) {
        return lastRequestId - lastFinalizedRequestId;
    }

    function unfinalizedStETH() external view returns (uint256) {
        return queue[lastRequestId].cumulativeStETH - queue[lastFinalizedRequestId].cumulativeStETH;
    }

    /// The model never enters bunker mode.
    function isBunkerModeActive() external pure returns (bool) {
        return false;
    }

    function bunkerModeSinceTimestamp() external pure returns (uint256) {
        return BUNKER_MODE_DISABLED_TIMESTAMP;
    }

    // =====================================================================
    // Finalization
    // =====================================================================

    /// MODEL-ONLY view: the last request that may be finalized now (created at
    /// or before _maxTimestamp, id at most _maxRequestId, at most
    /// MAX_REQUESTS_PER_REPORT of them), and the ether and shares that
    /// finalizing up to it at _maxShareRate takes. Per-request discounting, so
    /// the locked ether always covers every claim exactly.
    function calculateFinalization(uint256 _maxShareRate, uint256 _maxTimestamp, uint256 _maxRequestId)
        external
        view
        returns (uint256 lastRequestIdToFinalize, uint256 ethToLock, uint256 sharesToBurn)
    {
        if (_maxShareRate == 0) revert ZeroShareRate();
        lastRequestIdToFinalize = lastFinalizedRequestId;
        uint256 end = lastRequestId < _maxRequestId ? lastRequestId : _maxRequestId;
        WithdrawalRequest memory prev = queue[lastFinalizedRequestId];
        for (uint256 id = lastFinalizedRequestId + 1; id <= end; ++id) {
            if (id - lastFinalizedRequestId > MAX_REQUESTS_PER_REPORT) break;
            WithdrawalRequest memory request = queue[id];
            if (request.timestamp > _maxTimestamp) break;
            ethToLock += _discounted(prev, request, _maxShareRate);
            sharesToBurn += request.cumulativeShares - prev.cumulativeShares;
            lastRequestIdToFinalize = id;
            prev = request;
        }
    }

    /// Finalizes requests up to _lastRequestIdToBeFinalized, locking msg.value
    /// for their claims, and appends a checkpoint with _maxShareRate.
    function finalize(uint256 _lastRequestIdToBeFinalized, uint256 _maxShareRate) external payable {
        _checkResumed();
        if (msg.sender != address(STETH)) revert AccessDenied(msg.sender);
        if (_maxShareRate == 0) revert ZeroShareRate();
        if (_lastRequestIdToBeFinalized > lastRequestId) revert InvalidRequestId(_lastRequestIdToBeFinalized);
        uint256 firstRequestIdToFinalize = lastFinalizedRequestId + 1;
        if (_lastRequestIdToBeFinalized < firstRequestIdToFinalize) {
            revert InvalidRequestId(_lastRequestIdToBeFinalized);
        }

        WithdrawalRequest memory lastFinalized = queue[lastFinalizedRequestId];
        WithdrawalRequest memory toFinalize = queue[_lastRequestIdToBeFinalized];
        uint256 stETHToFinalize = toFinalize.cumulativeStETH - lastFinalized.cumulativeStETH;
        if (msg.value > stETHToFinalize) revert TooMuchEtherToFinalize(msg.value, stETHToFinalize);

        ++lastCheckpointIndex;
        checkpoints[lastCheckpointIndex] = Checkpoint(firstRequestIdToFinalize, _maxShareRate);
        lockedEtherAmount += msg.value;
        lastFinalizedRequestId = _lastRequestIdToBeFinalized;

        emit WithdrawalsFinalized(
            firstRequestIdToFinalize,
            _lastRequestIdToBeFinalized,
            msg.value,
            toFinalize.cumulativeShares - lastFinalized.cumulativeShares,
            block.timestamp
        );
        emit BatchMetadataUpdate(firstRequestIdToFinalize, lastRequestId);
    }

    // =====================================================================
    // Pausing (PausableUntil semantics)
    // =====================================================================

    function isPaused() public view returns (bool) {
        return block.timestamp < resumeSinceTimestamp;
    }

    function getResumeSinceTimestamp() external view returns (uint256) {
        return resumeSinceTimestamp;
    }

    function pauseFor(uint256 _duration) external onlyAdmin {
        _checkResumed();
        if (_duration == 0) revert ZeroPauseDuration();
        uint256 resumeSince = _duration == PAUSE_INFINITELY ? PAUSE_INFINITELY : block.timestamp + _duration;
        resumeSinceTimestamp = resumeSince;
        emit Paused(_duration);
    }

    function pauseUntil(uint256 _pauseUntilInclusive) external onlyAdmin {
        _checkResumed();
        if (_pauseUntilInclusive < block.timestamp) revert PauseUntilMustBeInFuture();
        uint256 resumeSince =
            _pauseUntilInclusive == PAUSE_INFINITELY ? PAUSE_INFINITELY : _pauseUntilInclusive + 1;
        resumeSinceTimestamp = resumeSince;
        emit Paused(resumeSince == PAUSE_INFINITELY ? PAUSE_INFINITELY : resumeSince - block.timestamp);
    }

    function resume() external onlyAdmin {
        if (!isPaused()) revert PausedExpected();
        resumeSinceTimestamp = block.timestamp;
        emit Resumed();
    }

    modifier onlyAdmin() {
        if (msg.sender != ADMIN) revert AccessDenied(msg.sender);
        _;
    }

    // =====================================================================
    // ERC-721
    // =====================================================================

    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == 0x01ffc9a7 // ERC-165
            || interfaceId == 0x80ac58cd // ERC-721
            || interfaceId == 0x5b5e139f // ERC-721 metadata
            || interfaceId == 0x49064906; // ERC-4906
    }

    /// No base URI is set on the devnet, which makes the real contract return "".
    function tokenURI(uint256 _requestId) external view returns (string memory) {
        if (!_existsAndNotClaimed(_requestId)) revert InvalidRequestId(_requestId);
        return "";
    }

    function balanceOf(address _owner) external view returns (uint256) {
        if (_owner == address(0)) revert InvalidOwnerAddress(_owner);
        return ownerRequests[_owner].length;
    }

    function ownerOf(uint256 _requestId) public view returns (address) {
        if (_requestId == 0 || _requestId > lastRequestId) revert InvalidRequestId(_requestId);
        WithdrawalRequest storage request = queue[_requestId];
        if (request.claimed) revert RequestAlreadyClaimed(_requestId);
        return request.owner;
    }

    function approve(address _to, uint256 _requestId) external {
        address owner = ownerOf(_requestId);
        if (_to == owner) revert ApprovalToOwner();
        if (msg.sender != owner && !isApprovedForAll(owner, msg.sender)) revert NotOwnerOrApprovedForAll(msg.sender);
        tokenApprovals[_requestId] = _to;
        emit Approval(owner, _to, _requestId);
    }

    function getApproved(uint256 _requestId) external view returns (address) {
        if (!_existsAndNotClaimed(_requestId)) revert InvalidRequestId(_requestId);
        return tokenApprovals[_requestId];
    }

    function setApprovalForAll(address _operator, bool _approved) external {
        if (msg.sender == _operator) revert ApproveToCaller();
        operatorApprovals[msg.sender][_operator] = _approved;
        emit ApprovalForAll(msg.sender, _operator, _approved);
    }

    function isApprovedForAll(address _owner, address _operator) public view returns (bool) {
        return operatorApprovals[_owner][_operator];
    }

    function safeTransferFrom(address _from, address _to, uint256 _requestId) external {
        safeTransferFrom(_from, _to, _requestId, "");
    }

    function safeTransferFrom(address _from, address _to, uint256 _requestId, bytes memory _data) public {
        _transfer(_from, _to, _requestId);
        if (_to.code.length == 0) return;
        try IERC721ReceiverModel(_to).onERC721Received(msg.sender, _from, _requestId, _data) returns (bytes4 ret) {
            if (ret != IERC721ReceiverModel.onERC721Received.selector) revert TransferToNonIERC721Receiver(_to);
        } catch (bytes memory reason) {
            if (reason.length == 0) revert TransferToNonIERC721Receiver(_to);
            assembly {
                revert(add(32, reason), mload(reason))
            }
        }
    }

    function transferFrom(address _from, address _to, uint256 _requestId) external {
        _transfer(_from, _to, _requestId);
    }

    // =====================================================================
    // Internals
    // =====================================================================

    function _transfer(address _from, address _to, uint256 _requestId) internal {
        if (_to == address(0)) revert TransferToZeroAddress();
        if (_to == _from) revert TransferToThemselves();
        if (_requestId == 0 || _requestId > lastRequestId) revert InvalidRequestId(_requestId);
        WithdrawalRequest storage request = queue[_requestId];
        if (request.claimed) revert RequestAlreadyClaimed(_requestId);
        if (_from != request.owner) revert TransferFromIncorrectOwner(_from, request.owner);
        if (!(_from == msg.sender || isApprovedForAll(_from, msg.sender) || tokenApprovals[_requestId] == msg.sender)) {
            revert NotOwnerOrApproved(msg.sender);
        }
        delete tokenApprovals[_requestId];
        request.owner = _to;
        _removeOwnerRequest(_from, _requestId);
        _addOwnerRequest(_to, _requestId);
        emit Transfer(_from, _to, _requestId);
    }

    function _checkWithdrawalRequestAmount(uint256 _amountOfStETH) internal pure {
        if (_amountOfStETH < MIN_STETH_WITHDRAWAL_AMOUNT) revert RequestAmountTooSmall(_amountOfStETH);
        if (_amountOfStETH > MAX_STETH_WITHDRAWAL_AMOUNT) revert RequestAmountTooLarge(_amountOfStETH);
    }

    function _checkResumed() internal view {
        if (isPaused()) revert ResumedExpected();
    }

    function _enqueue(uint256 _amountOfStETH, uint256 _amountOfShares, address _owner)
        internal
        returns (uint256 requestId)
    {
        if (_amountOfStETH > type(uint128).max) revert AmountTooLarge(_amountOfStETH);
        if (_amountOfShares > type(uint128).max) revert AmountTooLarge(_amountOfShares);
        WithdrawalRequest memory last = queue[lastRequestId];
        requestId = lastRequestId + 1;
        lastRequestId = requestId;
        queue[requestId] = WithdrawalRequest(
            last.cumulativeStETH + uint128(_amountOfStETH),
            last.cumulativeShares + uint128(_amountOfShares),
            _owner,
            uint40(block.timestamp),
            false
        );
        _addOwnerRequest(_owner, requestId);
        emit WithdrawalRequested(requestId, msg.sender, _owner, _amountOfStETH, _amountOfShares);
        emit Transfer(address(0), _owner, requestId);
    }

    function _claim(uint256 _requestId, uint256 _hint, address _recipient) internal {
        if (_requestId == 0) revert InvalidRequestId(_requestId);
        if (_requestId > lastFinalizedRequestId) revert RequestNotFoundOrNotFinalized(_requestId);
        WithdrawalRequest storage request = queue[_requestId];
        if (request.claimed) revert RequestAlreadyClaimed(_requestId);
        if (request.owner != msg.sender) revert NotOwner(msg.sender, request.owner);

        request.claimed = true;
        _removeOwnerRequest(request.owner, _requestId);

        uint256 eth = _calculateClaimableEther(_requestId, _hint);
        lockedEtherAmount -= eth;
        if (address(this).balance < eth) revert NotEnoughEther();
        (bool success,) = _recipient.call{value: eth}("");
        if (!success) revert CantSendValueRecipientMayHaveReverted();

        emit WithdrawalClaimed(_requestId, msg.sender, _recipient, eth);
        emit Transfer(msg.sender, address(0), _requestId);
    }

    /// Checks that _hint is the checkpoint _requestId falls into and applies
    /// the discount rule with that checkpoint's share rate.
    function _calculateClaimableEther(uint256 _requestId, uint256 _hint) internal view returns (uint256) {
        if (_hint == NOT_FOUND || _hint > lastCheckpointIndex) revert InvalidHint(_hint);
        if (_requestId < checkpoints[_hint].fromRequestId) revert InvalidHint(_hint);
        if (_hint < lastCheckpointIndex && checkpoints[_hint + 1].fromRequestId <= _requestId) {
            revert InvalidHint(_hint);
        }
        return _discounted(queue[_requestId - 1], queue[_requestId], checkpoints[_hint].maxShareRate);
    }

    /// Ether for the requests in (_prev, _end]: nominal stETH, or shares at
    /// _maxShareRate when their own share rate is above it.
    function _discounted(WithdrawalRequest memory _prev, WithdrawalRequest memory _end, uint256 _maxShareRate)
        internal
        pure
        returns (uint256)
    {
        uint256 stETH = _end.cumulativeStETH - _prev.cumulativeStETH;
        uint256 shares = _end.cumulativeShares - _prev.cumulativeShares;
        if (shares == 0) return stETH;
        if (stETH * E27_PRECISION_BASE / shares > _maxShareRate) {
            return shares * _maxShareRate / E27_PRECISION_BASE;
        }
        return stETH;
    }

    function _findCheckpointHint(uint256 _requestId, uint256 _start, uint256 _end) internal view returns (uint256) {
        if (_requestId == 0 || _requestId > lastRequestId) revert InvalidRequestId(_requestId);
        uint256 last = lastCheckpointIndex;
        if (_start == 0 || _end > last) revert InvalidRequestIdRange(_start, _end);
        if (last == 0 || _requestId > lastFinalizedRequestId || _start > _end) return NOT_FOUND;

        if (_requestId >= checkpoints[_end].fromRequestId) {
            if (_end == last || _requestId < checkpoints[_end + 1].fromRequestId) return _end;
            return NOT_FOUND;
        }
        if (_requestId < checkpoints[_start].fromRequestId) return NOT_FOUND;

        // Binary search for the last checkpoint starting at or before the id.
        uint256 lo = _start;
        uint256 hi = _end - 1;
        while (hi > lo) {
            uint256 mid = (lo + hi + 1) / 2;
            if (checkpoints[mid].fromRequestId <= _requestId) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    function _existsAndNotClaimed(uint256 _requestId) internal view returns (bool) {
        return _requestId > 0 && _requestId <= lastRequestId && !queue[_requestId].claimed;
    }

    function _addOwnerRequest(address _owner, uint256 _requestId) internal {
        ownerRequests[_owner].push(_requestId);
        ownerRequestIndex[_owner][_requestId] = ownerRequests[_owner].length;
    }

    function _removeOwnerRequest(address _owner, uint256 _requestId) internal {
        uint256[] storage ids = ownerRequests[_owner];
        uint256 index = ownerRequestIndex[_owner][_requestId];
        uint256 lastId = ids[ids.length - 1];
        ids[index - 1] = lastId;
        ownerRequestIndex[_owner][lastId] = index;
        ids.pop();
        delete ownerRequestIndex[_owner][_requestId];
    }
}
